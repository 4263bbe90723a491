import Foundation

/// Rows handed from the reading thread to the storing one, with the text
/// arena their prepared values live in.
struct RowChunk<Row> {
  var rows: [StagedRow<Row>] = []
  var text = TextArena()
}

/// A row read from a file, after its thread-safe preparation: either ready to
/// store, or bad (with what was read, for the reject file).
enum StagedRow<Row> {
  case ready(Row, line: Int, raw: [String]?)
  case bad(BadRowError, raw: [String])
}

/// A bounded hand-off of items (chunks of rows) from one producer thread to one consumer.
/// Bounded, so a fast reader cannot fill memory ahead of a slow database.
final class ChunkChannel<Item>: @unchecked Sendable {
  private let condition = NSCondition()
  private var items: [Item] = []
  private var finished = false
  private var failure: (any Error)?
  private var cancelled = false
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  /// Blocks while full. False when the consumer has gone away.
  func put(_ item: Item) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while items.count >= capacity && !cancelled { condition.wait() }
    guard !cancelled else { return false }
    items.append(item)
    condition.broadcast()
    return true
  }

  /// The producer is done, successfully or with `error`.
  func finish(error: (any Error)?) {
    condition.lock()
    finished = true
    failure = error
    condition.broadcast()
    condition.unlock()
  }

  /// Blocks while empty. nil at the end; the producer's error once its items are drained.
  func take() throws -> Item? {
    condition.lock()
    defer { condition.unlock() }
    while items.isEmpty && !finished { condition.wait() }
    if !items.isEmpty {
      condition.broadcast()
      return items.removeFirst()
    }
    if let failure { throw failure }
    return nil
  }

  /// The consumer stops early: wakes a blocked producer, whose next `put` fails.
  func cancel() {
    condition.lock()
    cancelled = true
    items.removeAll()
    condition.broadcast()
    condition.unlock()
  }
}

/// Carries a closure that is not `Sendable` to the one thread that runs it.
/// Safe here because the closure's captures are used by that thread alone
/// until it signals completion.
private struct ThreadJob: @unchecked Sendable {
  let run: () -> Void
}

/// Runs `body` on a new thread; the returned semaphore is signalled when it ends.
func startThread(_ body: @escaping () -> Void) -> DispatchSemaphore {
  let done = DispatchSemaphore(value: 0)
  let job = ThreadJob(run: body)
  let thread = Thread {
    // Named from inside (Linux names only the calling thread), so top and
    // perf tell the reading thread from the storing one.
    Thread.current.name = "linkaudit-read"
    job.run()
    done.signal()
  }
  // Deep enough for the parsers; the default secondary-thread stack is 512 KiB.
  thread.stackSize = 8 << 20
  thread.start()
  return done
}
