import Foundation
import LinkAuditCore
import LinkAuditStore

extension FiledPackage {
  /// The ledger's line for the version a manifest names, when the manifest is
  /// that version's altered (the same quarter, zone, version and issue time,
  /// other bytes), not another database's: a CRLF copy from a Windows share,
  /// an edited reason (red-team F8). Nil for a claim this ledger does not hold.
  static func alteredFiling(_ bytes: Data, manifest: Manifest, database db: Database) throws -> Filing? {
    guard let claim = manifest.filing,
      let filing = try Filing.find(in: db, quarter: manifest.quarter, version: claim.version),
      filing.issuedAt == claim.issuedAt, filing.timeZone == manifest.timeZone,
      filing.manifestSHA256 != ReportPackage.sha256(bytes)
    else { return nil }
    return filing
  }

  /// What an altered manifest differs by from its filing, as far as the
  /// ledger tells: its layout only (what it says re-encodes to the filed
  /// bytes), or the fields the ledger keeps that differ.
  static func alteration(of bytes: Data, manifest: Manifest, filing: Filing) -> String {
    let crlf =
      bytes.contains(0x0D) ? " (its line ends hold carriage returns: CRLF, as a Windows share or editor writes)" : ""
    if let encoded = try? manifest.encoded(), ReportPackage.sha256(encoded) == filing.manifestSHA256 {
      return "only its layout differs from the filed bytes\(crlf): what it says is what was filed"
    }
    var fields: [String] = []
    if manifest.filing?.reason.map(PersonalNumberMask.mask) != filing.reason { fields.append("filing.reason") }
    if let signer = filing.signedBy, (manifest.signingKey?.publicKeySHA256 ?? "") != signer {
      fields.append("signing_key")
    }
    if manifest.dataFingerprint != filing.dataFingerprint { fields.append("data_fingerprint") }
    if manifest.files["metrics.csv"] != ReportPackage.sha256(Data(filing.metricsCSV.utf8)) {
      fields.append("files[metrics.csv]")
    }
    if manifest.batches.map(\.batchID) != filing.batchIDs { fields.append("batches") }
    if manifest.ratingModel?.sha256 != filing.ratingModelSHA256 { fields.append("rating_model") }
    let named = fields.isEmpty ? "fields the filings do not keep" : fields.joined(separator: ", ")
    return
      "its bytes are not the filed ones (SHA-256 \(ReportPackage.sha256(bytes).prefix(16))…, filed \(filing.manifestSHA256.prefix(16))…): \(named) differ\(crlf)"
  }

  /// How a package's problems begin when its manifest is its filed version's, altered.
  public static let alteredManifest = "\(ReportPackage.manifestName): altered since it was filed"

  /// The way back to a filed version whose copy here is altered: report
  /// never replaces it (it may be what was handed over), but writes the
  /// filed bytes again once it is moved aside. Report and doctor say the same.
  public static func alteredAdvice(_ folder: String) -> String {
    "move \(escapingControls(folder)) aside (it may be the copy handed over: linkaudit verify names what differs), then linkaudit report writes the filed bytes again while the data are unchanged; the filed bytes are also in its archive or the copy handed over"
  }
}
