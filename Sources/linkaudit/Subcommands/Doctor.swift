import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Check the database: integrity, schema version, orphan rows, rollups, changed inbox files.",
    discussion: """
      Read-only. Prints one line per check (ok, warning or problem) and exits 1 when any \
      problem is found. The rollups reports read (monthly counts, users by quarter, opens \
      under a decision, current complaint states) are derived afresh from the events and \
      complaints and compared, table by table: one pass over the events. With --inbox, every \
      imported file still in the inbox is re-hashed and compared with the SHA-256 recorded \
      when it was imported. The keys and the filings: the pseudonym key present, mode 0600 \
      and the database's; the signing key against the packages filed; every filed version \
      against the packages in --reports (default reports/).
      """)
  @OptionGroup var database: DatabaseOptions
  @Option(help: "The inbox folder to compare imported files against, e.g. data/inbox.") var inbox: String?
  @Option(help: "The folder of report packages to compare the filings against (default reports).")
  var reports: String?
  @OptionGroup var signing: SigningKeyOptions

  func run() throws {
    let db = try database.openForReading(currentSchema: false)
    var findings = try Doctor.examine(db, inbox: inbox)
    findings.append(try Doctor.pseudonymKey(db, defaultKeyFile: database.defaultKeyFile))
    if (try? db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'filing'").integer) == 1 {
      findings += try db.transaction(.deferred) {
        try FilingChecks(
          db: db, reports: reports ?? "reports", reportsNamed: reports != nil,
          signingKey: signing.path(database: database)
        ).findings()
      }
    }
    for f in findings {
      print("\(f.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(f.check): \(f.detail)")
    }
    let problems = findings.filter { $0.severity == .problem }.count
    let warnings = findings.filter { $0.severity == .warning }.count
    print(problems == 0 && warnings == 0 ? "healthy" : "\(problems) problem(s), \(warnings) warning(s)")
    if problems > 0 { throw ExitCode(1) }
  }
}

/// The filings against what is on disk: the signing key that would sign a
/// re-issue against the key the filed packages name, and every filed
/// version against the packages in the reports folder (its manifest's
/// SHA-256 against the ledger's).
struct FilingChecks {
  let db: Database
  let reports: String
  let reportsNamed: Bool
  let signingKey: (path: String, named: Bool)

  func findings() throws -> [Doctor.Finding] {
    let filings = try Filing.all(in: db)
    guard !filings.isEmpty else { return [Doctor.Finding(.ok, "filings", "no report filed yet")] }
    var findings: [Doctor.Finding] = []
    let packages = self.packages()
    // The signing key.
    let key: PackagePublicKey?
    if FileManager.default.fileExists(atPath: signingKey.path) {
      do {
        key = try SigningKey(path: signingKey.path).publicKey
      } catch {
        key = nil
        findings.append(Doctor.Finding(.problem, "signing key", error.localizedDescription))
      }
    } else {
      key = nil
    }
    // The keys that signed each quarter's latest version (the ledger keeps them from schema v13) and the packages on disk.
    var latestByQuarter: [String: Filing] = [:]
    for f in filings where (latestByQuarter[f.quarter]?.version ?? 0) < f.version { latestByQuarter[f.quarter] = f }
    let signers = Set(packages.compactMap { $0.manifest.signingKey?.publicKeySHA256 })
      .union(latestByQuarter.values.compactMap { $0.signedBy.flatMap { $0.isEmpty ? nil : $0 } })
    if let key {
      let others = signers.subtracting([key.fingerprint])
      findings.append(
        others.isEmpty
          ? Doctor.Finding(
            .ok, "signing key",
            "\(signingKey.path): \(key.fingerprint.prefix(16))…, the signer of the filings and the packages on disk"
          )
          : Doctor.Finding(
            .warning, "signing key",
            "\(signingKey.path) (\(key.fingerprint.prefix(16))…) is not the key that signed the filings or the packages on disk (\(others.map { "\($0.prefix(16))…" }.sorted().joined(separator: ", "))): a re-issue would be signed by another key"
          ))
    } else if !signers.isEmpty {
      findings.append(
        Doctor.Finding(
          .warning, "signing key",
          "no signing key at \(signingKey.path), but the filings or the packages on disk are signed: a re-issue would be unsigned; name the key with --signing-key or $LINKAUDIT_SIGNING_KEY"
        ))
    }
    // Every package on disk against the ledger.
    var onDisk = Set<String>()
    for p in packages {
      guard let version = p.manifest.filing?.version else {
        findings.append(Doctor.Finding(.warning, "packages", "\(p.path): no filed version in its manifest"))
        continue
      }
      let filed = try Filing.find(in: db, manifestSHA256: p.sha256).contains {
        $0.quarter == p.manifest.quarter && $0.version == version
      }
      let latest = try Filing.latest(in: db, quarter: p.manifest.quarter)
      if !filed {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(p.path): names \(TableSink.flat(p.manifest.quarter)) version \(version), but its manifest is not the filed one (linkaudit verify \(p.path) says what differs)"
          ))
      } else if let latest, latest.version > version {
        findings.append(
          Doctor.Finding(
            .warning, "packages",
            "\(p.path): \(p.manifest.quarter) version \(version), superseded by version \(latest.version)"))
      } else {
        onDisk.insert("\(p.manifest.quarter) \(version)")
      }
    }
    // Every quarter's latest version has its package on disk.
    let missing = latestByQuarter.values.filter { !onDisk.contains("\($0.quarter) \($0.version)") }
      .sorted { $0.quarter < $1.quarter }.map { "\($0.quarter) version \($0.version)" }
    if missing.isEmpty {
      findings.append(Doctor.Finding(.ok, "filings", "every quarter's filed version is in \(reports)/, as filed"))
    } else if FileManager.default.fileExists(atPath: reports) || reportsNamed {
      findings.append(
        Doctor.Finding(
          .warning, "filings",
          "no package in \(reports)/ holds \(missing.joined(separator: ", ")) as filed (linkaudit report writes it again only while its bytes are the same)"
        ))
    }
    return findings
  }

  /// The packages in the reports folder (a folder a quarter).
  func packages() -> [(path: String, manifest: Manifest, sha256: String)] {
    let fm = FileManager.default
    let names = ((try? fm.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    return names.compactMap { name in
      let path = (reports as NSString).appendingPathComponent(name)
      let manifestPath = (path as NSString).appendingPathComponent(ReportPackage.manifestName)
      guard case .success(let bytes) = PackageFolder.contents(of: manifestPath),
        let manifest = try? Manifest.decode(bytes, path: manifestPath),
        let sha = try? FileHash.sha256(ofFile: manifestPath)
      else { return nil }
      return (path, manifest, sha)
    }
  }
}
