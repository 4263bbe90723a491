import Foundation
import LinkAuditImport
import LinkAuditStore
import Testing

@Suite struct RowPipelineTests {
  struct Boom: Error, Equatable {}

  @Test func itemsArriveInOrderThroughABoundedChannel() throws {
    let channel = ChunkChannel<Int>(capacity: 2)
    let done = startThread {
      for i in 0..<1000 { guard channel.put(i) else { return } }
      channel.finish(error: nil)
    }
    var seen: [Int] = []
    while let i = try channel.take() { seen.append(i) }
    done.wait()
    #expect(seen == Array(0..<1000))
  }

  @Test func producerErrorComesAfterItsItems() throws {
    let channel = ChunkChannel<Int>(capacity: 4)
    let done = startThread {
      _ = channel.put(1)
      _ = channel.put(2)
      channel.finish(error: Boom())
    }
    #expect(try channel.take() == 1)
    #expect(try channel.take() == 2)
    #expect(throws: Boom.self) { try channel.take() }
    done.wait()
  }

  /// A file stopped at a bad row leaves items and slots taken: freeing the
  /// channel then must not trap (libdispatch does, for a semaphore freed below
  /// the value it was made with).
  @Test func aChannelFreedWithItemsUntakenIsFreedQuietly() {
    for _ in 0..<100 {
      let channel = ChunkChannel<Int>(capacity: 4)
      #expect(channel.put(1))
      #expect(channel.put(2))
      channel.cancel()
    }
  }

  @Test func cancelReleasesABlockedProducer() throws {
    let channel = ChunkChannel<Int>(capacity: 1)
    let stopped = startThread {
      var i = 0
      while channel.put(i) { i += 1 }
    }
    #expect(try channel.take() == 0)
    channel.cancel()
    // Returns only because put() now fails: the producer thread has ended.
    stopped.wait()
  }

  @Test func aStoreErrorStopsTheReaderAndRollsBackTheFile() throws {
    // A file far larger than the channel holds: the reader must be stopped, not left blocked.
    let store = TestStore()
    var csv = "event_id,occurred_at,scene,user_id,url,action\n"
    for i in 0..<20_000 { csv += "e\(i),2021-10-01 10:00:00,group_chat,u\(i),https://a.taobao.com/\(i),open\n" }
    let path = try store.dir.write("links.csv", csv)
    let db = try store.open()
    try db.execute(
      "CREATE TRIGGER stop BEFORE INSERT ON link_event WHEN NEW.event_id = 'e15000' BEGIN SELECT RAISE(ABORT, 'stop here'); END"
    )
    let importer = store.importer(db)
    let error = try #require(throws: SQLiteError.self) { try importer.importFile(path, kind: .links) }
    #expect(error.message.contains("stop here"))
    #expect(try db.scalar("SELECT count(*) FROM link_event") == .integer(0))
    #expect(try db.scalar("SELECT count(*) FROM batch WHERE kind = 'links'") == .integer(0))
  }
}
