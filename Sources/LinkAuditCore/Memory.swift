#if canImport(Glibc)
  import Glibc
#endif

/// How the process's heap is kept bounded on long imports.
package enum Memory {
  /// Serves every block of 1 MB or more by its own mapping, returned to the
  /// system when freed. glibc otherwise raises that threshold each time such
  /// a block is freed (up to 32 MB), so the import's large passing buffers
  /// (a run of URLs sorted, the users held, the counts written) stayed in the
  /// heap after use: a 5,000,000-event import of a log with many URLs grew
  /// from 129 MB to 199 MB, against 124-157 MB flat with the threshold fixed
  /// (issue 17, docs/benchmarks.md). The time did not change.
  package static func returnLargeBlocks() {
    #if canImport(Glibc)
      // mallopt is in <malloc.h>, which the Glibc module leaves out: found by
      // name in the C library (RTLD_DEFAULT is a null handle on glibc).
      typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(nil, "mallopt") else { return }
      let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
      _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 1 << 20)
    #endif
  }
}
