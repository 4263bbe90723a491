import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Rows handed from the reading thread to the storing one, with the text
/// arena their prepared values live in.
package struct RowChunk<Row: Sendable>: Sendable {
  package var rows: [StagedRow<Row>] = []
  package var text = TextArena()
}

/// A row read from a file, after its thread-safe preparation: either ready to
/// store, or bad (with what was read, for the reject file).
package enum StagedRow<Row: Sendable>: Sendable {
  case ready(Row, line: Int, raw: [String]?)
  case bad(BadRowError, raw: [String])
}

/// A bounded hand-off of items (chunks of rows) from one producer thread to
/// one consumer. Bounded, so a fast reader cannot fill memory ahead of a slow
/// database. Only `Sendable` items cross; the state is in the project's one
/// lock box, and the two semaphores count free slots and items to take.
package final class ChunkChannel<Item: Sendable>: Sendable {
  private struct State {
    package var items: [Item] = []
    package var finished = false
    package var failure: (any Error)?
    package var cancelled = false
  }
  private let state = LockBox(State())
  private let slots: DispatchSemaphore
  private let filled = DispatchSemaphore(value: 0)

  package init(capacity: Int) {
    // Made empty and then filled: libdispatch traps when a semaphore is freed
    // below the value it was made with (as slots are after an early stop).
    slots = DispatchSemaphore(value: 0)
    for _ in 0..<capacity { slots.signal() }
  }

  /// Blocks while full. False when the consumer has gone away.
  package func put(_ item: Item) -> Bool {
    slots.wait()
    let accepted = state.withLock { s in
      guard !s.cancelled else { return false }
      s.items.append(item)
      return true
    }
    if accepted { filled.signal() } else { slots.signal() }
    return accepted
  }

  /// The producer is done, successfully or with `error`.
  package func finish(error: (any Error)?) {
    state.withLock { s in
      s.finished = true
      s.failure = error
    }
    filled.signal()
  }

  /// Blocks while empty. nil at the end; the producer's error once its items are drained.
  package func take() throws -> Item? {
    filled.wait()
    let (item, failure): (Item?, (any Error)?) = state.withLock { s in
      s.items.isEmpty ? (nil, s.failure) : (s.items.removeFirst(), nil)
    }
    if item != nil {
      slots.signal()
    } else {
      // The end stays signalled for any later take.
      filled.signal()
    }
    if let failure { throw failure }
    return item
  }

  /// The consumer stops early: wakes a blocked producer, whose next `put` fails.
  package func cancel() {
    state.withLock { s in
      s.cancelled = true
      s.items.removeAll()
    }
    slots.signal()
  }
}

/// Runs `body` on a new thread; the returned semaphore is signalled when it
/// ends. `body` and what it captures are sent to that thread: the caller
/// keeps no reference to them (the compiler checks it).
package func startThread(_ body: sending @escaping () -> Void) -> DispatchSemaphore {
  let done = DispatchSemaphore(value: 0)
  // The lock box is how a value that is not Sendable crosses to another thread.
  let job = LockBox<(() -> Void)?>(body)
  let thread = Thread {
    // Named from inside (Linux names only the calling thread), so top and
    // perf tell the reading thread from the storing one.
    Thread.current.name = "linkaudit-read"
    let run = job.withLock { $0.take() }
    run?()
    done.signal()
  }
  // Deep enough for the parsers; the default secondary-thread stack is 512 KiB.
  thread.stackSize = 8 << 20
  thread.start()
  return done
}
