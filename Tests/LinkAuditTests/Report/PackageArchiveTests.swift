import Foundation
import LinkAudit
import LinkAuditCore
import Testing

/// The package as one file to hand over, the same bytes every time.
@Suite struct PackageArchiveTests {
  let dir = TemporaryDirectory()

  /// name → (SHA-256 of the bytes, date fields) of every entry, read by Python's zipfile.
  func entries(_ zip: String) throws -> [String: String] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [
      "python3", "-c",
      """
      import hashlib, json, sys, zipfile
      z = zipfile.ZipFile(sys.argv[1])
      assert z.testzip() is None
      print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() + ' ' + '%04d-%02d-%02d %02d:%02d:%02d' % i.date_time
                        for i in z.infolist()}))
      """, zip,
    ]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return try JSONDecoder().decode([String: String].self, from: data)
  }

  @Test func theArchiveHoldsEveryFileUnderItsFolderAndIsReproducible() throws {
    let package = dir.file("pkg")
    try FileManager.default.createDirectory(atPath: package, withIntermediateDirectories: true)
    let files = ["manifest.json": "{}\n", "manifest.sig": "signature", "metrics.csv": "metric_id\n", "注释.md": "中文\n"]
    for (name, text) in files { try text.write(toFile: package + "/" + name, atomically: true, encoding: .utf8) }
    try FileManager.default.createDirectory(atPath: package + "/render", withIntermediateDirectories: true)
    // Issued 2022-01-10 02:00:00 UTC: 10:00:00 in Beijing, as the Cover says.
    let issued = Timestamp(milliseconds: 1_641_780_000_000)
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    let zip = dir.file(PackageArchive.name(quarter: Quarter("2021-Q4")!, version: 2))
    #expect(zip.hasSuffix("linkaudit-2021-Q4-v2.zip"))
    try PackageArchive.write(
      directory: package, to: zip, folder: "linkaudit-2021-Q4-v2", issuedAt: issued, in: shanghai)
    let first = try Data(contentsOf: URL(fileURLWithPath: zip))
    let listed = try entries(zip)
    // Every file under the folder (not the render folder), bytes intact, dated as issued.
    #expect(Set(listed.keys) == Set(files.keys.map { "linkaudit-2021-Q4-v2/\($0)" }))
    for (name, text) in files {
      let digest = try FileHash.sha256(ofFile: package + "/" + name)
      #expect(listed["linkaudit-2021-Q4-v2/\(name)"] == "\(digest) 2022-01-10 10:00:00", "\(name): \(text)")
    }
    // Written again, later, over the first: the same bytes.
    try PackageArchive.write(
      directory: package, to: zip, folder: "linkaudit-2021-Q4-v2", issuedAt: issued, in: shanghai)
    #expect(try Data(contentsOf: URL(fileURLWithPath: zip)) == first)
  }
}
