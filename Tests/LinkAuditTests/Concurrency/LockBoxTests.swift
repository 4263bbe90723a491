import Foundation
import LinkAuditCore
import LinkAuditImport
import Testing

/// The project's one lock: what two threads do through it is never lost, and
/// the ThreadSanitizer run (docs/reliability.md) sees it as a lock.
@Suite struct LockBoxTests {
  @Test func updatesFromManyThreadsAreAllKept() {
    let box = LockBox(0)
    DispatchQueue.concurrentPerform(iterations: 4) { _ in
      for _ in 0..<10_000 { box.withLock { $0 += 1 } }
    }
    #expect(box.withLock { $0 } == 40_000)
  }

  @Test func anErrorThrownInsideLeavesTheBoxUnlockedAndUnchanged() {
    struct Failure: Error {}
    let box = LockBox([1, 2])
    #expect(throws: Failure.self) { try box.withLock { _ in throw Failure() } }
    #expect(box.withLock { $0 } == [1, 2])
  }

  @Test func aValueThatIsNotSendableCrossesToTheThreadStartedWithIt() {
    final class Tally { var n = 0 }
    let tally = Tally()
    let seen = LockBox(0)
    let done = startThread {
      tally.n += 3
      let n = tally.n
      seen.withLock { $0 = n }
    }
    done.wait()
    #expect(seen.withLock { $0 } == 3)
  }
}
