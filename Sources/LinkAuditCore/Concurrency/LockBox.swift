import Foundation

/// A value several threads share, reached only inside `withLock`: the one
/// lock of the project, and its one `@unchecked Sendable`, audited here.
///
/// Why not the standard library's `Mutex`: on Linux it is built on futexes
/// the ThreadSanitizer cannot see, so every access through it is reported as
/// a race (a two-thread counter under `--sanitize=thread` reports one and
/// counts right), and the project's TSan run would be noise. `NSLock` is a
/// pthread mutex, which the sanitizer understands.
///
/// The audit: `value` is read and written only between `lock()` and
/// `unlock()`, in `withLock`; the initial value is `sending` (no one else
/// holds it) and what `withLock` hands in or out is `sending` too, so a value
/// that is not `Sendable` enters or leaves the box only when no other
/// reference to it remains, as with `Mutex`.
package final class LockBox<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  package init(_ value: sending Value) { self.value = value }

  package func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}
