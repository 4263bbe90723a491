import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditStore

struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write what a warehouse job needs of linkaudit's rules.",
    subcommands: [Reference.self])

  struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the reference tables the warehouse job (warehouse/) joins on.",
      discussion: """
        For one quarter: segments.csv (each stretch of the quarter with its local day, month and \
        policy version), offsets.csv (the zone's offset for timestamps written without one), \
        vocabulary.csv (the codes the contract allows, each reason with its principle), \
        decisions.csv (every decision with its target and window), under_restricted.csv (each \
        policy version, scene, reason and action its treatment is stricter than: what got \
        through) and manifest.json (their \
        SHA-256, the quarter, the zones, the plausible times and the decisions' fingerprint). \
        With --authorities (the job's first step), also authorities.csv: every URL authority \
        of the logs normalised by linkaudit's own URL rules. Reads the database only; see \
        "Beyond one machine" in the README for the steps in order.
        """)

    @OptionGroup var database: DatabaseOptions

    @Argument(
      help:
        "Folder to write the reference into: new (created), empty, or a previous reference's; never an inbox, a package or a bundle."
    )
    var folder: String

    @Option(help: "The quarter, YYYY-Qn.")
    var quarter: String

    @Option(help: "authorities.csv written by the job's first step (warehouse/linkaudit_rollups.py authorities).")
    var authorities: String?

    @OptionGroup(title: "Timestamps, read as import reads them") var timestamps: TimestampOptions

    func run() throws {
      guard let q = Quarter(quarter) else {
        throw ValidationError(
          "quarter \"\(displayable(quarter))\" is not YYYY-Qn, four digits from \(Quarter.earliestYear) (for example 2021-Q4)"
        )
      }
      let zone = try timestamps.zone()
      // The default cut to its day, so that references exported a minute apart agree.
      let times = try timestamps.plausible(
        defaultLatest: Timestamp(milliseconds: PlausibleTimes.defaultLatest().milliseconds / 86_400_000 * 86_400_000))
      // Written into an inbox, the reference would be imported next time.
      try InboxFolders.refuseOutputFolder(folder, option: "FOLDER")
      // Nor into a report package, at any depth (red-team G1).
      try OutputPlacement.checkFolder(folder, option: "FOLDER", itself: false)
      var protected = database.protectedFiles
      if let authorities { protected.add(authorities, as: "an input file") }
      let db = try database.openForReading()
      let files = try db.transaction(.deferred) {
        try WarehouseReference.write(
          database: db, quarter: q, timestampZone: zone, plausible: times, authorities: authorities,
          more: [
            (
              "under_restricted.csv", ["policy_version", "scene", "reason", "action"],
              try db.rows(MetricCatalogue.underRestrictedCombinationsSQL).map { $0.map { $0.text ?? "" } }
            )
          ], to: folder, protecting: protected)
      }
      for name in files.keys.sorted() { print("\(name)\t\(files[name]!.rows) rows") }
    }
  }
}
