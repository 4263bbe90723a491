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
    #expect(manifest.decisionsFingerprint == (try DecisionIndex(database: db).fingerprint))
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
}
