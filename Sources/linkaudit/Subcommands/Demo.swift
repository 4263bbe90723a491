import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a realistic synthetic inbox: all four kinds, several quarters, the phase-1 policy change.",
    discussion: """
      Shaped like a messaging platform's log: users drawn from a long tail (a quarter's distinct users are \
      about a third of its events), almost every URL distinct, thousands of small domains beside the \
      registered platforms. Deterministic for a seed. Streams its output, so --events 10000000 runs in \
      bounded memory.
      """)
  @Argument(help: "Inbox folder to write (links/, complaints/, policies/, platforms/ inside).") var directory: String
  @Option(help: "Number of link events.") var events = 200_000
  @Option(help: "Seed of the random generator.") var seed: UInt64 = 2021
  @Option(
    help: ArgumentHelp(
      "How many users the taps are drawn from (default: a sixth of the events).",
      discussion: "Fewer users make a log in which each taps more often; the bench's demo shape of old was 50,000."))
  var users: Int?

  func validate() throws {
    guard (1...100_000_000).contains(events) else {
      throw ValidationError("--events \(events) is not a number of events from 1 to 100,000,000")
    }
    if let users, !(1...1_000_000_000).contains(users) {
      throw ValidationError("--users \(users) is not a number of users from 1 to 1,000,000,000")
    }
  }

  func run() throws {
    // A new folder inside a report package is no place for an inbox (red-team G1).
    try OutputPlacement.checkFolder(directory, option: "DIR", itself: false)
    let written = try DemoGenerator(events: events, seed: seed, users: users).write(to: directory)
    for path in written { print(path) }
  }
}
