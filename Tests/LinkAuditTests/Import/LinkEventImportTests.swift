import Foundation
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

@Suite struct LinkEventImportTests {
  let store = TestStore()

  func event(_ id: String, _ columns: String) throws -> [SQLValue] {
    try #require(try store.rows("SELECT \(columns) FROM event WHERE event_id = ?", [.text(id)]).first)
  }

  @Test func storesEveryEventWithItsEnrichment() throws {
    let summary = try store.load([(.links, fixture("links-basic.csv"))])
    #expect(summary[0].rowsRead == 5)
    #expect(summary[0].rowsStored == 5)
    #expect(summary[0].line.contains("5 read, 5 stored, 0 duplicate, 0 rejected"))

    // Each timestamp form of the contract, stored as UTC.
    let times = try store.rows("SELECT event_id, occurred_at FROM link_event ORDER BY event_id").map {
      [$0[0].text!, $0[1].text!]
    }
    #expect(
      times == [
        ["e1", "2021-09-17T00:15:02.000Z"], ["e2", "2021-09-17T01:00:00.000Z"], ["e3", "2021-09-17T01:00:00.000Z"],
        ["e4", "2021-09-17T01:00:00.000Z"], ["e5", "2021-09-17T00:15:02.000Z"],
      ])
    #expect(
      try event("e1", "url_normalised, host, domain, platform_id, principle, detected_by, client_version")
        == [
          "https://item.taobao.com/item.htm?id=1", "item.taobao.com", "taobao.com", "taobao", nil, "automated",
          "8.0.14",
        ])
    #expect(
      try event("e2", "url, url_normalised, domain, platform_id, reason, principle, detected_by")
        == [
          "HTTPS://Item.JD.com:443/100.html#top", "https://item.jd.com/100.html", "jd.com", "jd", "induced_sharing", 3,
          "user_report",
        ])
    #expect(
      try event("e3", "url_normalised, host, host_ascii, domain, platform_id, reason, principle")
        == ["http://例子.中国/路径?q=1", "例子.中国", "xn--fsqu00a.xn--fiqs8s", "例子.中国", "other", "scene_rule", nil])
    #expect(try event("e4", "host, domain, principle, detected_by") == ["例子.中国", "例子.中国", 1, "manual_review"])
    #expect(try event("e5", "domain, platform_id, client_version") == ["example.com.cn", "other", nil])
  }

  @Test func defaultRegistryIsLoadedOnFirstUseAsABatch() throws {
    try store.load([(.links, fixture("links-basic.csv"))])
    let batches = try store.rows("SELECT kind, file_name, rows_stored FROM batch ORDER BY batch_id")
    #expect(
      batches[0] == [
        "platforms", .text(DefaultPlatformRegistry.fileName), .integer(Int64(DefaultPlatformRegistry.platforms.count)),
      ])
    #expect(batches[1][0] == "links")
  }

  @Test func quotedFieldsAndCRLF() throws {
    try store.load([(.links, fixture("links-quoted-crlf.csv"))])
    #expect(try event("q1", "url, action, reason") == ["https://www.zhihu.com/q?a=1,2&b=\"x\"", "open", nil])
    #expect(try event("q2", "action, reason, principle") == ["block", "spam", 3])
  }

  @Test func byteOrderMarkTSVJSONLinesAndGzip() throws {
    let summaries = try store.load([
      (.links, fixture("links-bom.csv")), (.links, fixture("links.tsv")), (.links, fixture("links.jsonl")),
      (.links, fixture("links.jsonl.gz")), (.links, fixture("links-basic-copy.csv.gz")),
    ])
    #expect(summaries.map(\.rowsStored) == [1, 1, 2, 1, 5])
    #expect(summaries[2].warnings == ["1 unknown column(s) ignored: \"extra\""])
    #expect(try event("b1", "domain") == ["b23.tv"])
    #expect(try event("t1", "action, reason") == ["warn_back", "scene_rule"])
    #expect(try event("j1", "occurred_at") == ["2021-10-01T02:00:00.000Z"])
    #expect(try event("j2", "reason, principle") == ["gambling", 1])
    #expect(try event("z1", "platform_id") == ["baidu"])
    #expect(try event("g4", "domain") == ["例子.中国"])
  }

  @Test func gb18030WithTheEncodingOption() throws {
    let s = try store.load([(.links, fixture("links-gb18030.csv"))], encoding: .gb18030)
    #expect(s[0].rowsStored == 2)
    #expect(try event("k1", "domain") == ["例子.中国"])
    #expect(try event("k2", "reason") == ["rumor"])
  }

  @Test func gb18030WithoutTheOptionIsRejectedNamingTheLine() throws {
    let error = try #require(throws: BadRowError.self) { try store.load([(.links, fixture("links-gb18030.csv"))]) }
    #expect(error.line == 2)
    #expect(error.localizedDescription.contains("invalid UTF-8"))
    #expect(try store.scalar("SELECT count(*) FROM link_event") == 0)
  }

  @Test func repeatedEventIDsAreDuplicatesNotStoredTwice() throws {
    try store.load([(.links, fixture("links-basic.csv"))])
    let again = try store.dir.write(
      "again.csv",
      """
      event_id,occurred_at,scene,user_id,url,action
      e1,2021-09-17 10:00:00,group_chat,zed,https://weibo.com/1,open
      e6,2021-09-17 10:00:00,group_chat,zed,https://weibo.com/1,open
      e6,2021-09-17 10:00:00,group_chat,zed,https://weibo.com/1,open

      """)
    let s = try store.load([(.links, again)])[0]
    #expect((s.rowsRead, s.rowsStored, s.rowsDuplicate) == (3, 1, 2))
    #expect(try store.scalar("SELECT count(*) FROM link_event") == 6)
    #expect(try store.scalar("SELECT rows_duplicate FROM batch WHERE file_name = 'again.csv'") == 2)
  }

  @Test func reimportingAFileIsANoOp() throws {
    try store.load([(.links, fixture("links-basic.csv"))])
    let before = try store.rows("SELECT * FROM batch")
    let s = try store.load([(.links, fixture("links-basic.csv"))])[0]
    #expect(s.batchID == nil)
    #expect(s.line.contains("already imported"))
    #expect(try store.rows("SELECT * FROM batch") == before)
  }

  @Test func rawUserIDsNeverReachTheDatabaseFile() throws {
    try store.load([(.links, fixture("links-basic.csv")), (.complaints, fixture("complaints-v1.csv"))])
    let bytes = try store.bytes()
    for raw in ["alice", "carol", "dave", "rep-1", "rep-2"] {
      #expect(bytes.range(of: Data(raw.utf8)) == nil, "\(raw) found in the database file")
    }
    let pseudonyms = try store.rows("SELECT DISTINCT user_pseudonym FROM link_event WHERE event_id IN ('e1', 'e4')")
    #expect(pseudonyms.count == 1)  // alice in both
    #expect(pseudonyms[0][0].text?.count == Pseudonymiser.length)
  }

  @Test func policyVersionInForceIsAssignedWhicheverComesFirst() throws {
    try store.load([(.links, fixture("links-basic.csv")), (.policies, fixture("policy-phase1.md"))])
    let late = try store.rows("SELECT event_id, policy_version FROM link_event ORDER BY event_id")
    let other = TestStore()
    try other.load([(.policies, fixture("policy-phase1.md")), (.links, fixture("links-basic.csv"))])
    let early = try other.rows("SELECT event_id, policy_version FROM link_event ORDER BY event_id")
    #expect(late == early)
    #expect(late.allSatisfy { $0[1] == "2021.09-phase1" })

    // An earlier version arriving last takes the events before phase 1 only.
    let earlier = try store.dir.write(
      "before.csv",
      "event_id,occurred_at,scene,user_id,url,action\nold1,2021-09-16 23:59:59,moments,u,https://weibo.com/,open\n")
    try store.load([(.links, earlier), (.policies, fixture("policy-baseline.md"))])
    #expect(try event("old1", "policy_version") == ["2021.01-baseline"])
    #expect(try event("e1", "policy_version") == ["2021.09-phase1"])
  }

  /// The events counted by platform (`platform_month`), by month: [platform, month start, events].
  func platformCounts() throws -> [[SQLValue]] {
    try store.rows(
      "SELECT platform_id, month_start, sum(events) FROM platform_month GROUP BY 1, 2 ORDER BY 1, 2")
  }

  @Test func registryImportReassignsPlatforms() throws {
    try store.load([(.links, fixture("links-basic.csv"))])
    // The built-in registry: e1 Taobao, e2 JD, the other three (September 2021, Beijing time) none.
    let september: SQLValue = .text("2021-08-31T16:00:00.000Z")
    #expect(
      try platformCounts() == [
        [.text("jd"), september, .integer(1)], [.text("other"), september, .integer(3)],
        [.text("taobao"), september, .integer(1)],
      ])
    try store.load([(.platforms, fixture("platforms.csv"))])
    let platforms = try store.rows("SELECT event_id, platform_id FROM event ORDER BY event_id").map { $0[1].text! }
    #expect(platforms == ["taobao", "other", "example", "example", "example"])
    // The counts by platform follow the new registry: e3-e5 Example Shop, e1 Taobao, e2 (jd.com) none.
    #expect(
      try platformCounts() == [
        [.text("example"), september, .integer(3)], [.text("other"), september, .integer(1)],
        [.text("taobao"), september, .integer(1)],
      ])
    // Later events are enriched against the new registry too.
    let later = try store.dir.write(
      "later.csv",
      "event_id,occurred_at,scene,user_id,url,action\nn1,2021-10-01 10:00:00,moments,u,https://shop.example.com.cn/,open\n"
    )
    try store.load([(.links, later)])
    #expect(try event("n1", "platform_id") == ["example"])
    #expect(try platformCounts().first == [.text("example"), september, .integer(3)])
    #expect(try platformCounts()[1] == [.text("example"), .text("2021-09-30T16:00:00.000Z"), .integer(1)])
    #expect(try Rollups.differences(try store.open(.readOnly)) == [])
  }
}
