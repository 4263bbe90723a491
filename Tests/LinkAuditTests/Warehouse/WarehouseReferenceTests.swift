import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

@Suite struct WarehouseReferenceTests {
  let store = TestStore()

  /// The offsets table gives every local time of a zone with clock changes
  /// the offset linkaudit's own parser gives it, gaps and overlaps included.
  @Test func theOffsetsTableGivesTheParsersOffsetForEveryLocalTime() throws {
    let zone = TimeZone(identifier: "America/New_York")!
    let parser = TimestampParser(timeZone: zone)
    let rows = WarehouseReference.offsets(zone: zone, plausible: PlausibleTimes())
    let table = rows.map { (Int64($0[0])!, Int64($0[1])!, Int($0[2])!) }
    #expect(table.count > 40)  // two changes a year since 2000
    func offset(_ local: Int64) -> Int? { table.first { local >= $0.0 && local < $0.1 }?.2 }
    // Every quarter hour of the days around the changes of 2021, and of a plain day.
    for day: (Int64, Int64, Int64) in [
      (2021, 3, 13), (2021, 3, 14), (2021, 3, 15), (2021, 11, 6), (2021, 11, 7), (2021, 7, 1),
    ] {
      let midnight = CivilCalendar.days(year: day.0, month: day.1, day: day.2) * 86_400_000
      for q in 0..<96 {
        let local = midnight + Int64(q) * 900_000
        #expect(offset(local) == parser.offset(forLocalMilliseconds: local), "local \(local)")
      }
    }
    // A zone without changes since 1992 is one row.
    #expect(
      WarehouseReference.offsets(zone: TimeZone(identifier: "Asia/Shanghai")!, plausible: PlausibleTimes()).count == 1)
  }

  @Test func theVocabularyIsTheContractsWithEachReasonsPrinciple() {
    let rows = WarehouseReference.vocabulary()
    #expect(rows.filter { $0[0] == "scene" }.count == Scene.allCases.count)
    #expect(rows.contains(["reason", "gambling", "1"]))
    #expect(rows.contains(["reason", "phishing", "2"]))
    #expect(rows.contains(["reason", "scene_rule", ""]))
    #expect(rows.contains(["action", "warn_back", ""]))
  }

  @Test func authoritiesAreNormalisedByLinkauditsRules() throws {
    let file = try store.dir.write(
      "authorities.csv",
      """
      scheme,authority,file,row
      HTTPS,Item.Taobao.COM:443,a.csv,2
      http,user:secret@www.example.com:8080,a.csv,3
      https,xn--fsqu00a.xn--fiqs8s,b.csv,9
      """)
    let rows = try WarehouseReference.normalisedAuthorities(file)
    #expect(
      rows == [
        [
          "HTTPS", "Item.Taobao.COM:443", "https://item.taobao.com", "item.taobao.com", "item.taobao.com", "taobao.com",
        ],
        [
          "http", "user:secret@www.example.com:8080", "http://www.example.com:8080", "www.example.com",
          "www.example.com", "example.com",
        ],
        ["https", "xn--fsqu00a.xn--fiqs8s", "https://例子.中国", "例子.中国", "xn--fsqu00a.xn--fiqs8s", "例子.中国"],
      ])
  }

  @Test func anAuthorityThatIsNoHostIsAnErrorNamingWhereTheJobSawIt() throws {
    let file = try store.dir.write(
      "authorities.csv",
      """
      scheme,authority,file,row
      https,item.taobao.com,a.csv,2
      https,bad host.com,links-2021Q4.csv,1234
      """)
    let error = try #require(throws: FileError.self) { try WarehouseReference.normalisedAuthorities(file) }
    #expect(error.localizedDescription.contains("authorities.csv:3"))
    #expect(error.localizedDescription.contains("first in links-2021Q4.csv line 1234"))
    #expect(error.localizedDescription.contains("bad host.com"))
  }

  @Test func theReferenceIsWrittenWithItsManifest() throws {
    try store.load([(.complaints, fixture("complaints-v2.csv"))])
    let db = try store.open(.readOnly)
    defer { db.close() }
    let out = store.dir.file("ref")
    let files = try WarehouseReference.write(
      database: db, quarter: Quarter(year: 2021, number: 3), timestampZone: TimeZone(identifier: "Asia/Shanghai")!,
      plausible: PlausibleTimes(), authorities: nil, to: out)
    #expect(Set(files.keys) == ["segments.csv", "offsets.csv", "vocabulary.csv", "decisions.csv"])
    #expect(files["segments.csv"]?.rows == 92)
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let manifest = try decoder.decode(
      ReferenceManifest.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")))
    #expect(manifest.quarter == "2021-Q3")
    #expect(
      manifest.decisionsFingerprint
        == (try DecisionIndex.fingerprint(
          of: db, from: Timestamp(milliseconds: manifest.quarterStartMs),
          until: Timestamp(milliseconds: manifest.quarterEndMs))))
    #expect(manifest.files["decisions.csv"]?.sha256 == (try FileHash.sha256(ofFile: out + "/decisions.csv")))
    let decisions = try String(contentsOfFile: out + "/decisions.csv", encoding: .utf8)
    #expect(decisions.contains("c1,1,block_url,https://item.taobao.com/item.htm?id=1,"))
  }

  /// The job's authorities.csv put in the reference's own folder would be read and overwritten at once.
  @Test func noReferenceFileIsWrittenOverTheInputOrTheDatabase() throws {
    let input = try store.dir.write(
      "ref/authorities.csv", "scheme,authority,file,row\nhttps,item.taobao.com,a.csv,2\n")
    let db = try store.open()
    defer { db.close() }
    let before = try String(contentsOfFile: input, encoding: .utf8)
    let error = try #require(throws: OutputPathError.self) {
      try WarehouseReference.write(
        database: db, quarter: Quarter(year: 2021, number: 3), timestampZone: TimeZone(identifier: "Asia/Shanghai")!,
        plausible: PlausibleTimes(), authorities: input, to: store.dir.file("ref"),
        protecting: ProtectedFiles(database: store.path, inputs: [input]))
    }
    #expect(error.localizedDescription.contains("is an input file"))
    #expect(try String(contentsOfFile: input, encoding: .utf8) == before)
    #expect(!FileManager.default.fileExists(atPath: store.dir.file("ref/segments.csv")))
  }

  func writeReference(
    _ db: Database, _ quarter: Quarter = Quarter(year: 2021, number: 4), to folder: String,
    authorities: String? = nil
  ) throws {
    _ = try WarehouseReference.write(
      database: db, quarter: quarter, timestampZone: TimeZone(identifier: "Asia/Shanghai")!,
      plausible: PlausibleTimes(), authorities: authorities, to: folder,
      protecting: ProtectedFiles(database: store.path, keyFile: store.keyFile))
  }

  /// Every file under `folder`, by name, with its bytes (a link as where it leads).
  func contents(_ folder: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
      let path = (folder as NSString).appendingPathComponent(name)
      out[name] =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { Data(("-> " + $0).utf8) }
        ?? FileManager.default.contents(atPath: path) ?? Data()
    }
    return out
  }

  @Test func n5_aQuarterOutsideThePlausibleRangeIsNotExported() throws {
    let db = try store.open()
    defer { db.close() }
    for quarter in [Quarter(year: 2099, number: 1), Quarter(year: 0, number: 1), Quarter(year: 1999, number: 4)] {
      let folder = store.dir.file("ref-\(quarter)")
      let error = try #require(throws: FileError.self) { try writeReference(db, quarter, to: folder) }
      #expect(error.localizedDescription.contains("quarter \(quarter) is not a time from 2000-01-01"))
      #expect(!FileManager.default.fileExists(atPath: folder))
    }
  }

  /// A reference goes only into a new or empty folder or over a previous
  /// reference: never over a report package, a bundle, another file, nor
  /// through a link; the database and key are never written over.
  @Test func n8_aReferenceIsWrittenOnlyWhereItOwnsTheFolder() throws {
    let db = try store.open()
    defer { db.close() }
    let victim = try store.dir.write("victim.txt", "precious\n")
    try store.dir.write("package/manifest.json", #"{"quarter": "2021-Q4", "version": 1}"#)
    try store.dir.write("package/decisions.csv", "complaint_id\n")
    try store.dir.write("bundle/manifest.json", #"{"format": "linkaudit-rollups/1"}"#)
    try store.dir.write("bundle/counts.csv", "x\n")
    try store.dir.write("other/notes.txt", "mine\n")
    try FileManager.default.createDirectory(atPath: store.dir.file("linked"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: store.dir.file("linked/segments.csv"), withDestinationPath: victim)
    try writeReference(db, to: store.dir.file("previous"))
    try FileManager.default.removeItem(atPath: store.dir.file("previous/offsets.csv"))
    try FileManager.default.createSymbolicLink(
      atPath: store.dir.file("previous/offsets.csv"), withDestinationPath: victim)
    try FileManager.default.removeItem(atPath: store.dir.file("previous/vocabulary.csv"))
    try FileManager.default.createSymbolicLink(
      atPath: store.dir.file("previous/vocabulary.csv"), withDestinationPath: victim)
    let refused: [(String, String)] = [
      ("package", "holds a linkaudit report package or another program's manifest"),
      ("bundle", "holds a rollup bundle"),
      ("other", "holds notes.txt, which is not a reference's"),
      ("linked", "holds segments.csv as a link"),
      ("previous", "as a link"),
      ("victim.txt", "is not a folder"),
      (".", "holds"),
    ]
    for (name, expected) in refused {
      let folder = store.dir.file(name)
      let before = try? contents(folder)
      let error = try #require(throws: OutputPathError.self, "\(name)") { try writeReference(db, to: folder) }
      #expect(error.localizedDescription.contains(expected), "\(name): \(error.localizedDescription)")
      #expect(
        error.localizedDescription.contains("a reference is written only into") || name == "victim.txt" || name == ".")
      #expect((try? contents(folder)) == before, "\(name)")
    }
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    #expect(FileManager.default.fileExists(atPath: store.path))
    // A previous reference is replaced, file by file, and an empty folder taken.
    try FileManager.default.removeItem(atPath: store.dir.file("previous/offsets.csv"))
    try FileManager.default.removeItem(atPath: store.dir.file("previous/vocabulary.csv"))
    // What a killed export left on its way into place is its own, and goes.
    let abandoned = try store.dir.write("previous/.segments.csv.writing-2147483646", "half")
    try writeReference(db, to: store.dir.file("previous"))
    #expect(!FileManager.default.fileExists(atPath: abandoned))
    try FileManager.default.createDirectory(atPath: store.dir.file("empty"), withIntermediateDirectories: true)
    try writeReference(db, to: store.dir.file("empty"))
    let (previous, empty) = (try contents(store.dir.file("previous")), try contents(store.dir.file("empty")))
    #expect(Set(previous.keys) == Set(empty.keys))
    #expect(previous["segments.csv"] == empty["segments.csv"])
    #expect(
      Set(try FileManager.default.contentsOfDirectory(atPath: store.dir.file("empty"))) == [
        "segments.csv", "offsets.csv", "vocabulary.csv", "decisions.csv", "manifest.json",
      ])
  }

  /// The inbox, its kind folders and anything inside them are no place for a
  /// reference (nor for notices, nor rejects): the next import would read it.
  @Test func n17_noOutputFolderIsAnInboxOrInsideOne() throws {
    try store.dir.write("inbox/links/l.csv", "event_id\n")
    try store.dir.write("inbox/complaints/c.csv", "complaint_id\n")
    for (folder, expected) in [
      ("inbox", "is an inbox (it holds links/)"),
      ("inbox/complaints", "is in an inbox's complaints/ folder"),
      ("inbox/policies", "is in an inbox's policies/ folder"),
      ("inbox/links/new", "is in an inbox's links/ folder"),
    ] {
      let error = try #require(throws: OutputPathError.self, "\(folder)") {
        try InboxFolders.refuseOutputFolder(store.dir.file(folder), option: "FOLDER")
      }
      #expect(error.localizedDescription.contains(expected), "\(folder): \(error.localizedDescription)")
    }
    let inside = try #require(throws: OutputPathError.self) {
      try InboxFolders.refuseOutputFolder(
        store.dir.file("inbox/x"), option: "--reject-file", inbox: store.dir.file("inbox"))
    }
    #expect(inside.localizedDescription.contains("is inside the inbox"))
    try InboxFolders.refuseOutputFolder(store.dir.file("references/2021-Q4"), option: "FOLDER")
    // A team's own folder named complaints, holding a workspace, is no inbox.
    try store.dir.write("team/complaints/warehouse/notes.txt", "x\n")
    try InboxFolders.refuseOutputFolder(store.dir.file("team/complaints/warehouse/ref-2021-Q4"), option: "FOLDER")
  }

  @Test(.timeLimit(.minutes(1))) func n7_authoritiesThatAreNotARegularFileAreRefusedUnread() throws {
    let fifo = store.dir.file("authorities.csv")
    #expect(mkfifo(fifo, 0o600) == 0)
    let error = try #require(throws: FileError.self) { try WarehouseReference.normalisedAuthorities(fifo) }
    #expect(error.localizedDescription.contains("authorities.csv: is not a regular file"))
    let device = try #require(throws: FileError.self) { try WarehouseReference.normalisedAuthorities("/dev/zero") }
    #expect(device.localizedDescription.contains("/dev/zero: is not a regular file"))
  }

  /// A decision standing only after the quarter cannot touch its figures:
  /// the reference neither ships nor fingerprints it.
  @Test func n18_theReferenceFingerprintsOnlyDecisionsStandingBeforeTheQuartersEnd() throws {
    try store.load([(.complaints, fixture("complaints-v2.csv"))])
    let db = try store.open()
    defer { db.close() }
    let zone = TimeZone(identifier: "Asia/Shanghai")!
    let (q3start, q3end) = Quarter(year: 2021, number: 3).bounds(in: zone)
    let (q2start, q2end) = Quarter(year: 2021, number: 2).bounds(in: zone)
    let q3 = try WarehouseReference.decisionRows(db, from: q3start, before: q3end)
    let q2 = try WarehouseReference.decisionRows(db, from: q2start, before: q2end)
    #expect(q3.rows.map { $0[0] }.contains("c1"))
    #expect(q2.rows.isEmpty)
    #expect(q2.fingerprint != q3.fingerprint)
    #expect(q3.fingerprint == (try DecisionIndex(database: db).fingerprint))
  }
}
