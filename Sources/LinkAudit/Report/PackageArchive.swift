import Foundation
import LinkAuditCore
import ZIPFoundation

/// The package as one file to hand over: `linkaudit-YYYY-Qn-vN.zip`, every
/// file of the package (its signature too) under a folder of that name,
/// reproducible byte for byte: names in order, one fixed mode, and each
/// entry dated by when the version was issued.
public enum PackageArchive {
  /// The archive's name for a quarter's version.
  public static func name(quarter: Quarter, version: Int) -> String { "linkaudit-\(quarter)-v\(version).zip" }

  /// Writes the files of the package in `directory` into `path`, whole under
  /// another name first, then moved into place.
  public static func write(directory: String, to path: String, folder: String, issuedAt: Timestamp, in zone: TimeZone)
    throws
  {
    let fm = FileManager.default
    let names = try fm.contentsOfDirectory(atPath: directory).filter { name in
      var isDirectory: ObjCBool = false
      return !name.hasPrefix(".")
        && fm.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
        && !isDirectory.boolValue
    }.sorted()
    let temporary = path + ".writing-\(ProcessInfo.processInfo.processIdentifier)"
    try? fm.removeItem(atPath: temporary)
    defer { try? fm.removeItem(atPath: temporary) }
    let date = entryDate(issuedAt, in: zone)
    do {
      let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
      for name in names {
        let data = try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)))
        try archive.addEntry(
          with: "\(folder)/\(name)", type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
          permissions: 0o644, compressionMethod: .deflate
        ) { position, size in
          data.subdata(in: Int(position)..<Int(position) + size)
        }
      }
    }
    if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
    try fm.moveItem(atPath: temporary, toPath: path)
  }

  /// A zip entry keeps a date and time without a zone, and ZIPFoundation
  /// writes a date's UTC fields: the instant whose UTC fields are the issue
  /// time's in the report's zone, so the entry reads as the Cover does, and
  /// every machine, whatever its zone, writes the same bytes.
  static func entryDate(_ t: Timestamp, in zone: TimeZone) -> Date {
    var local = Calendar(identifier: .gregorian)
    local.timeZone = zone
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    let fields = local.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    return utc.date(from: fields) ?? Date(timeIntervalSince1970: 315_532_800)
  }
}
