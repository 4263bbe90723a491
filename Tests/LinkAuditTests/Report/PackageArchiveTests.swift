import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
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

  /// A manifest listing `files` (names to their text), as `report` writes one.
  func manifest(_ files: [String: String], in package: String) throws -> String {
    let hashes = try files.keys.sorted().map { "\"\($0)\": \"\(try FileHash.sha256(ofFile: package + "/" + $0))\"" }
    return """
      {"tool": "linkaudit", "tool_version": "0", "quarter": "2021-Q4", "time_zone": "Asia/Shanghai",
       "languages": ["zh"], "period": {"start": "a", "end": "b"}, "templates_sha256": "t", "data_fingerprint": "d",
       "batches": [], "policy_versions": [], "files": {\(hashes.joined(separator: ", "))},
       "filing": {"version": 2, "issued_at": "2022-01-10T02:00:00.000Z"}}

      """
  }

  @Test func theArchiveHoldsEveryFileOfTheManifestUnderItsFolderAndIsReproducible() throws {
    let package = dir.file("pkg")
    try FileManager.default.createDirectory(atPath: package, withIntermediateDirectories: true)
    var files = ["manifest.sig": "signature", "metrics.csv": "metric_id\n", "注释.md": "中文\n"]
    for (name, text) in files { try text.write(toFile: package + "/" + name, atomically: true, encoding: .utf8) }
    files["manifest.json"] = try manifest(["metrics.csv": "", "注释.md": ""], in: package)
    try files["manifest.json"]!.write(toFile: package + "/manifest.json", atomically: true, encoding: .utf8)
    // Nothing the manifest does not list goes in: not a render folder, not a note left there.
    try FileManager.default.createDirectory(atPath: package + "/render", withIntermediateDirectories: true)
    try "note".write(toFile: package + "/.note", atomically: true, encoding: .utf8)
    // Issued 2022-01-10 02:00:00 UTC: 10:00:00 in Beijing, as the Cover says.
    let issued = Timestamp(milliseconds: 1_641_780_000_000)
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    let zip = dir.file(PackageArchive.name(quarter: Quarter("2021-Q4")!, version: 2))
    #expect(zip.hasSuffix("linkaudit-2021-Q4-v2.zip"))
    try PackageArchive.write(
      directory: package, to: zip, folder: "linkaudit-2021-Q4-v2", issuedAt: issued, in: shanghai)
    let first = try Data(contentsOf: URL(fileURLWithPath: zip))
    let listed = try entries(zip)
    // Every file under the folder, bytes intact, dated as issued.
    #expect(Set(listed.keys) == Set(files.keys.map { "linkaudit-2021-Q4-v2/\($0)" }))
    for (name, text) in files {
      let digest = try FileHash.sha256(ofFile: package + "/" + name)
      #expect(listed["linkaudit-2021-Q4-v2/\(name)"] == "\(digest) 2022-01-10 10:00:00", "\(name): \(text)")
    }
    // Written again, later: the same bytes, and the archive there is left as it is.
    #expect(
      try PackageArchive.write(
        directory: package, to: zip, folder: "linkaudit-2021-Q4-v2", issuedAt: issued, in: shanghai) == false)
    #expect(try Data(contentsOf: URL(fileURLWithPath: zip)) == first)
    // Unpacked as handed over: the folder's files, and nothing said against it.
    let unpacked = try PackageArchive.unpack(zip, into: dir.file("unpacked"))
    #expect(unpacked.problems == [], "\(unpacked.problems)")
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: unpacked.folder)) == Set(files.keys))
  }

  /// N13: the archive handed over is never replaced by one with other content.
  @Test func anArchiveWithOtherContentIsNeverReplaced() throws {
    let package = dir.file("pkg")
    try FileManager.default.createDirectory(atPath: package, withIntermediateDirectories: true)
    try "metric_id\n".write(toFile: package + "/metrics.csv", atomically: true, encoding: .utf8)
    try manifest(["metrics.csv": ""], in: package).write(
      toFile: package + "/manifest.json", atomically: true, encoding: .utf8)
    let zip = dir.file("linkaudit-2021-Q4-v2.zip")
    try Data("the zip filed first".utf8).write(to: URL(fileURLWithPath: zip))
    let refused = #expect(throws: OutputPathError.self) {
      try PackageArchive.write(
        directory: package, to: zip, folder: "linkaudit-2021-Q4-v2", issuedAt: Timestamp(milliseconds: 0),
        in: TimeZone(identifier: "Asia/Shanghai")!)
    }
    #expect(refused?.message.contains("never replaced") == true, "\(String(describing: refused))")
    #expect(try Data(contentsOf: URL(fileURLWithPath: zip)) == Data("the zip filed first".utf8))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["linkaudit-2021-Q4-v2.zip", "pkg"])
    // Another zone's archive has a name of its own.
    #expect(
      PackageArchive.name(quarter: Quarter("2021-Q4")!, zone: "UTC", version: 2) == "linkaudit-2021-Q4-UTC-v2.zip")
    #expect(
      PackageArchive.name(quarter: Quarter("2021-Q4")!, zone: "America/New_York", version: 1)
        == "linkaudit-2021-Q4-America-New_York-v1.zip")
  }

  /// N21: an archive that is not only the package's folder of regular files:
  /// every other entry is named, and none is written outside the scratch folder.
  @Test func unpackingNamesEveryEntryOutsideThePackagesFolder() throws {
    let zip = dir.file("hostile.zip")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [
      "python3", "-c",
      """
      import sys, zipfile
      z = zipfile.ZipFile(sys.argv[1], 'w')
      z.writestr('linkaudit-2021-Q4-v1/metrics.csv', 'x')
      z.writestr('linkaudit-2021-Q4-v1/../escaped.txt', 'x')
      z.writestr('other/metrics.csv', 'x')
      z.writestr('linkaudit-2021-Q4-v1/sub/deep.txt', 'x')
      z.writestr('linkaudit-2021-Q4-v1/metrics.csv', 'y')
      z.close()
      """, zip,
    ]
    try p.run()
    p.waitUntilExit()
    let scratch = dir.file("scratch")
    let (folder, problems, _, _) = try PackageArchive.unpack(zip, into: scratch)
    #expect(problems.count == 4, "\(problems)")
    #expect(problems.contains { $0.hasPrefix("linkaudit-2021-Q4-v1/../escaped.txt:") }, "\(problems)")
    #expect(problems.contains { $0.hasPrefix("other/metrics.csv: outside the package's folder") })
    #expect(problems.contains { $0.hasPrefix("linkaudit-2021-Q4-v1/metrics.csv: in the archive twice") })
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["metrics.csv"])
    #expect(!FileManager.default.fileExists(atPath: dir.file("escaped.txt")))
    #expect(!FileManager.default.fileExists(atPath: scratch + "/escaped.txt"))
  }
}
