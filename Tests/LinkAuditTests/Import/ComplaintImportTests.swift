import Foundation
import LinkAuditCore
import LinkAuditImport
import Testing

@Suite struct ComplaintImportTests {
  let store = TestStore()

  @Test func laterStateWinsAndHistoryIsKept() throws {
    let s = try store.load([(.complaints, fixture("complaints-v1.csv")), (.complaints, fixture("complaints-v2.csv"))])
    #expect((s[1].rowsStored, s[1].rowsDuplicate) == (1, 1))  // c2 is unchanged
    #expect(try store.scalar("SELECT count(*) FROM complaint_state") == 3)
    let latest = try store.rows(
      "SELECT complaint_id, status, outcome, action_taken, resolved_at FROM complaint ORDER BY 1")
    #expect(latest[0] == ["c1", "resolved", "upheld", "block_url", "2021-09-20T12:30:00.000Z"])
    #expect(latest[1] == ["c2", "resolved", "upheld", "restore", "2021-09-22T02:00:00.000Z"])
  }

  /// The history shows every state and marks the current one by the same
  /// rule as the complaint view, in either order of files.
  @Test(arguments: [["complaints-v1.csv", "complaints-v2.csv"], ["complaints-v2.csv", "complaints-v1.csv"]])
  func theHistoryMarksTheStateTheComplaintViewHolds(files: [String]) throws {
    let store = TestStore()
    try store.load(files.map { (.complaints, fixture($0)) })
    #expect(try store.scalar("SELECT count(*) FROM complaint_history") == 3)
    #expect(
      try store.rows("SELECT complaint_id, batch_id, line FROM complaint_history WHERE is_current ORDER BY 1")
        == store.rows("SELECT complaint_id, batch_id, line FROM complaint ORDER BY 1"))
    #expect(
      try store.scalar("SELECT status FROM complaint_history WHERE complaint_id = 'c1' AND is_current") == "resolved")
  }

  /// `duplicate_of` is optional: a file without it stays valid, and a file
  /// that only adds the column, empty, says nothing new (same fingerprints).
  @Test func duplicateOfIsStoredAndAnEmptyColumnChangesNoFingerprint() throws {
    let header =
      "complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at"
    let rows = [
      "d1,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,2021-10-01 11:00:00,upheld,block_url,",
      "d2,2021-10-02 10:00:00,s,https://a.com/,fraud,,,resolved,2021-10-02 11:00:00,duplicate,,",
    ]
    let without = try store.dir.write("a.csv", ([header] + rows).joined(separator: "\n") + "\n")
    let emptyColumn = try store.dir.write(
      "b.csv", ([header + ",duplicate_of"] + rows.map { $0 + "," }).joined(separator: "\n") + "\n")
    let named = try store.dir.write(
      "c.csv", ([header + ",duplicate_of"] + [rows[1] + ",d1"]).joined(separator: "\n") + "\n")
    let s = try store.load([(.complaints, without), (.complaints, emptyColumn), (.complaints, named)])
    #expect((s[1].rowsStored, s[1].rowsDuplicate) == (0, 2))
    // Naming the complaint it repeats is a new statement about d2: a new state.
    #expect(s[2].rowsStored == 1)
    #expect(try store.scalar("SELECT duplicate_of FROM complaint WHERE complaint_id = 'd2'") == "d1")
    #expect(try store.scalar("SELECT count(*) FROM complaint WHERE duplicate_of IS NOT NULL") == 1)
  }

  @Test func orderOfFilesDoesNotChangeTheLatestState() throws {
    try store.load([(.complaints, fixture("complaints-v2.csv")), (.complaints, fixture("complaints-v1.csv"))])
    #expect(try store.scalar("SELECT status FROM complaint WHERE complaint_id = 'c1'") == "resolved")
  }

  @Test func enrichmentAndDefaults() throws {
    try store.load([(.complaints, fixture("complaints-v1.csv")), (.complaints, fixture("complaints-multiline.csv"))])
    #expect(
      try store.rows("SELECT domain, platform_id, principle, channel FROM complaint WHERE complaint_id = 'c1'")[0]
        == ["taobao.com", "taobao", 1, "in_chat"])
    #expect(try store.scalar("SELECT principle FROM complaint WHERE complaint_id = 'c2'") == 4)
    #expect(try store.scalar("SELECT channel FROM complaint WHERE complaint_id = 'm1'") == "in_chat")
  }

  @Test func personalNumbersAreMaskedBeforeStorage() throws {
    try store.load([(.complaints, fixture("complaints-v1.csv")), (.complaints, fixture("complaints-multiline.csv"))])
    #expect(
      try store.scalar("SELECT description FROM complaint WHERE complaint_id = 'c1'")
        == "冒充客服，电话138****5678，身份证**************1234")
    #expect(
      try store.scalar("SELECT description FROM complaint WHERE complaint_id = 'm1'")
        == "第一行, with comma\n第二行 \"quoted\" 159****1111")
    let bytes = try store.bytes()
    for raw in ["13812345678", "110105199001011234", "15900001111"] {
      #expect(bytes.range(of: Data(raw.utf8)) == nil)
    }
  }
}

@Suite struct PersonalNumberMaskTests {
  @Test(arguments: [
    ("电话13812345678。", "电话138****5678。"),
    ("ID 11010519900101123X end", "ID **************123X end"),
    ("order 123456789012 and 12345678901", "order 123456789012 and 12345678901"),
    ("138123456789", "138123456789"),
    ("no numbers", "no numbers"),
    // A word joined to a number does not save it (red-team D3: `13812345678abc`).
    ("a 19912345678b", "a 199****5678b"),
    // Issue 12, finding 7: numbers as people write them.
    ("全角１３８１２３４５６７８号", "全角１３８****５６７８号"),
    ("call 138 1234 5678 now", "call 138 **** 5678 now"),
    ("call 138-1234-5678", "call 138-****-5678"),
    ("+8613812345678", "+86138****5678"),
    ("+86 138 1234 5678", "+86 138 **** 5678"),
    ("008613812345678", "0086138****5678"),
    ("ID 110105 19900101 123X.", "ID ****** ******** 123X."),
    ("ID 110105 1990 0101 1234", "ID ****** **** **** 1234"),
    ("order 2021-0917-1234-5678", "order 2021-0917-1234-5678"),
    ("86 13812345678", "86 138****5678"),
  ])
  func masks(_ input: String, _ expected: String) {
    #expect(PersonalNumberMask.mask(input) == expected)
  }
}
