import Foundation
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditStore
import Testing

@Suite struct RejectFileTests {
  let store = TestStore()

  @Test func goodRowsAreImportedAndBadOnesSetAsideWithTheirError() throws {
    let file = try store.dir.write(
      "mixed.csv",
      """
      event_id,occurred_at,scene,user_id,url,action,reason
      r1,2021-10-01 10:00:00,group_chat,u1,https://a.com/,open,
      r2,2021-10-01 10:00:00,groupchat,u2,https://a.com/,open,
      r3,"2021-10-01 10:00:00",group_chat,u3,"https://a.com/?x=1,2",open,

      """)
    let rejects = store.dir.file("rejects.csv")
    let s = try store.load([(.links, file)], rejectFile: rejects)[0]
    #expect((s.rowsRead, s.rowsStored, s.rowsRejected) == (3, 2, 1))
    let text = try String(contentsOfFile: rejects, encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines[0] == "event_id,occurred_at,scene,user_id,url,action,reason,error")
    // The user id is withheld (a reject file is an output); the error says where to take it from.
    #expect(lines[1].hasPrefix("r2,2021-10-01 10:00:00,groupchat,,https://a.com/,open,,"))
    #expect(lines[1].contains("line 3: column scene: value \"\"groupchat\"\""))
    #expect(lines[1].contains("user_id withheld: take it from line 3 of the input"))
    #expect(!text.contains("u2"))
    #expect(try store.scalar("SELECT rows_rejected FROM batch WHERE kind = 'links'") == 1)
    #expect(try store.rows("SELECT line, column_name FROM rejected_row") == [[3, "scene"]])
  }

  /// No reject shows a raw user or reporter id, however the row is broken,
  /// and numbers in a complaint's text are masked as in the database.
  @Test func rejectsShowNoUserIdAndMaskTheText() throws {
    let links = try store.dir.write(
      "links.csv",
      """
      event_id,occurred_at,scene,user_id,url,action,reason
      a1,2021-10-01 10:00:00,group_chat,13812345678,https://a.com/,teleport,
      a2,2021-10-01 10:00:00,group_chat,13912345678,https://a.com/,open,,extra,fields
      a3,2021-10-01 10:00:00,group_chat,u3,https://a.com/,open,

      """)
    let jsonl = try store.dir.write(
      "links.jsonl",
      """
      {"event_id":"j1","occurred_at":"2021-10-01 10:00:00","scene":"groupchat","user_id":"13712345678","url":"https://a.com/","action":"open"}
      {"event_id":"j2","occurred_at":"2021-10-01 10:00:00","user_id":"13612345678",
      {"event_id":"j3","occurred_at":"2021-10-01 10:00:00","scene":"group_chat","user_id":"u9","url":"https://a.com/","action":"open"}

      """)
    let complaints = try store.dir.write(
      "complaints.csv",
      """
      complaint_id,received_at,reporter_id,url,category,channel,description,status
      c1,2021-10-01 10:00:00,13512345678,https://a.com/,not_a_category,in_chat,请回电 13812345678,open

      """)
    let folder = store.dir.file("rejects")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let db = try store.open()
    let importer = store.importer(db, rejectFile: folder)
    let done =
      try importer.importFiles([links, jsonl], kind: .links) + importer.importFiles([complaints], kind: .complaints)
    #expect(done.map(\.rowsRejected) == [2, 2, 1])
    let all = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map {
      try String(contentsOfFile: folder + "/" + $0, encoding: .utf8)
    }
    #expect(all.count == 3)
    let text = all.joined()
    for id in ["13812345678", "13912345678", "13712345678", "13612345678", "13512345678"] {
      #expect(!text.contains(id), "\(id) in a reject file")
    }
    #expect(text.contains("138****5678"))  // the description, masked
    #expect(text.contains("the row is not shown: its fields do not line up with the header"))
    #expect(text.contains("the line is not shown: it does not parse as an object"))
    #expect(text.contains("reporter_id, category withheld: take it from line 2 of the input"))
    // The JSON line is shown (escaped in the reject's "raw") with its user id emptied.
    #expect(text.contains(#"\"scene\":\"groupchat\""#) && text.contains(#"\"user_id\":\"\""#))
  }

  @Test func severalFilesNeedADirectory() throws {
    let db = try store.open()
    let importer = store.importer(db, rejectFile: store.dir.file("nope.csv"))
    #expect(throws: FileError.self) {
      try importer.importFiles([fixture("links-basic.csv"), fixture("links.tsv")], kind: .links)
    }
  }
}

@Suite struct InboxTests {
  let store = TestStore()

  @Test func importsADemoInboxOnceThenSkipsEverything() throws {
    let inbox = store.dir.file("inbox")
    let written = try DemoGenerator(events: 3000, seed: 7).write(to: inbox)
    // Nine inputs and the filer's details (filer.yaml, in the inbox's top folder, which the import does not read).
    #expect(written.count == 10)
    #expect(written.contains(inbox + "/filer.yaml"))
    let db = try store.open()
    let importer = store.importer(db)
    let first = try importer.importInbox(inbox)
    #expect(first.map(\.kind).first == .platforms)
    #expect(first.filter { $0.kind == .links }.map(\.rowsStored).reduce(0, +) == 3000)
    #expect(first.allSatisfy { $0.rowsRejected == 0 })
    #expect(!first.contains { $0.file.hasSuffix("filer.yaml") }, "not an input, not even skipped with a warning")
    let again = try importer.importInbox(inbox)
    #expect(again.allSatisfy { $0.batchID == nil })
    #expect(try db.scalar("SELECT count(*) FROM link_event WHERE policy_version IS NULL") == 0)
    #expect(try db.scalar("SELECT count(DISTINCT scene) FROM link_event") == 8)
    #expect(try db.scalar("SELECT count(DISTINCT action) FROM link_event") == 4)
    #expect(try db.scalar("SELECT count(DISTINCT category) FROM complaint") == 16)
    #expect(try db.scalar("SELECT count(DISTINCT status) FROM complaint") == 2)
    #expect(try db.scalar("SELECT count(*) FROM event WHERE host_ascii LIKE 'xn--%'") != 0)
  }
}

@Suite struct KeyFileTests {
  let dir = TemporaryDirectory()

  @Test func createdWithMode0600AndStable() throws {
    let path = dir.file("k.key")
    let a = try Pseudonymiser(keyFile: path).pseudonym("alice")
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    #expect(try Pseudonymiser(keyFile: path).pseudonym("alice") == a)
    #expect(a != (try Pseudonymiser(keyFile: dir.file("other.key")).pseudonym("alice")))
  }

  @Test func readableByOthersIsRefused() throws {
    let path = dir.file("open.key")
    _ = try Pseudonymiser(keyFile: path)
    chmod(path, 0o644)
    let error = try #require(throws: FileError.self) { try Pseudonymiser(keyFile: path) }
    #expect(error.localizedDescription.contains("chmod 600"))
  }
}
