import Foundation
import LinkAuditCore
import LinkAuditStore

/// The policy version in force at each instant: a version holds from its
/// `effective_from` until the next version's, the last one until
/// `endOfTime`. The one rule for the import (each event's version), the
/// reassignment when a late version arrives, and the rebuild; the
/// `policy_period` view spells the same rule in SQL (a test ties the two).
package struct PolicyTimeline: Sendable {
  private var starts: [Int64] = []
  /// The versions, oldest first: what `index(at:)` counts in.
  package private(set) var names: [String] = []
  private var positions: [String: Int] = [:]

  /// The end of the last version, as `policy_period.effective_until` writes it.
  package static let endOfTime = "9999-12-31T23:59:59.999Z"

  package init(database: Database) throws {
    let rows = try database.prepare("SELECT effective_from, version FROM main.policy_version ORDER BY effective_from")
    defer { rows.reset() }
    let row = StoredColumns(rows, table: "policy_version")
    let (from, version) = (row.column("effective_from"), row.column("version"))
    while try rows.step() {
      starts.append(try row.time(from).milliseconds)
      let name = try row.requiredText(version)
      positions[name] = names.count
      names.append(name)
    }
  }

  /// The version in force at `t` (its index in `names`), nil before the first.
  package func index(at t: Timestamp) -> Int? {
    var lo = 0
    var hi = starts.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if starts[mid] <= t.milliseconds { lo = mid + 1 } else { hi = mid }
    }
    return lo == 0 ? nil : lo - 1
  }

  /// The index of a version as stored on an event; a name the timeline lacks is corruption.
  package func index(named name: String?, at place: String) throws -> Int? {
    guard let name else { return nil }
    guard let i = positions[name] else { throw CorruptValueError(place: place, value: name) }
    return i
  }

  /// When `version` holds, as stored text: from its start until the next one's (or `endOfTime`).
  package func period(of version: String) -> (from: String, until: String)? {
    guard let i = positions[version] else { return nil }
    let until = i + 1 < starts.count ? Timestamp(milliseconds: starts[i + 1]).iso : Self.endOfTime
    return (Timestamp(milliseconds: starts[i]).iso, until)
  }
}
