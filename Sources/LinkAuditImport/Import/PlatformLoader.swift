import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Loads a platform registry. It replaces the one in force as a new version
/// (older versions stay, with their batch), and every stored event and
/// complaint is re-assigned to the new registry's platforms.
package struct PlatformLoader {
  /// The columns of the data contract, in the order the reader hands their values.
  package enum Column: Int, InputColumn {
    case platformID, nameEnglish, nameChinese, domains, operatorName

    package var name: String {
      switch self {
      case .platformID: "platform_id"
      case .nameEnglish: "name_en"
      case .nameChinese: "name_zh"
      case .domains: "domains"
      case .operatorName: "operator"
      }
    }
  }

  package static let columns = Column.names
  package static let required = ["platform_id", "name_en", "name_zh", "domains"]

  package let importer: Importer
  package let batchID: Int64

  package func load(path: String, summary: inout BatchSummary) throws {
    var fields = FieldReader<Column>(timestamps: importer.timestamps, plausible: importer.options.plausibleTimes)
    var platforms: [Platform] = []
    var owner: [String: String] = [:]
    var ids = Set<String>()
    let suffixes = PublicSuffixList()
    try importer.forEachRecord(path: path, columns: Self.columns, required: Self.required, summary: &summary) {
      values, _ in
      fields.values = values
      let id = try fields.text(.platformID, required: true, maxLength: 64)!.trimmed
      guard id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }), id != "other"
      else {
        throw RowProblem(
          column: "platform_id", value: id, expected: "a short lower-case code (a-z, 0-9, _ or -), not \"other\"")
      }
      // An id is printed in every package and names the notice sent (`notice-2021-Q4-ID.zh.md`): no number of a person.
      if PersonalNumberMask.carriesPersonalNumber(id) {
        throw RowProblem(
          column: "platform_id", value: id,
          expected: "a platform id with no mobile or ID number in it (ids are printed in every package and notice)")
      }
      guard ids.insert(id).inserted else {
        throw RowProblem(column: "platform_id", value: id, expected: "a platform id not already listed in this file")
      }
      let nameEnglish = try fields.referenceName(.nameEnglish, required: true, maxLength: 200)!
      let nameChinese = try fields.referenceName(.nameChinese, required: true, maxLength: 200)!
      let domainText = try fields.text(.domains, required: true, maxLength: 4000)!
      var domains: [String] = []
      for raw in domainText.split(whereSeparator: { $0 == " " || $0 == ";" }) {
        let domain: String
        let ascii: String
        do {
          ascii = try IDNA.toASCII(String(raw))
          domain = try IDNA.toUnicode(ascii)
        } catch {
          throw RowProblem(column: "domains", value: String(raw), expected: "a registrable domain such as taobao.com")
        }
        // Events are matched on their registrable domain: a subdomain, a
        // public suffix or a name with a final dot would match none, and
        // silently move the platform's events to "other".
        guard !ascii.hasSuffix("."), let registrable = suffixes.registrableDomain(asciiHost: ascii),
          registrable == ascii
        else {
          let hint = suffixes.registrableDomain(asciiHost: ascii.hasSuffix(".") ? String(ascii.dropLast()) : ascii)
            .map { (try? IDNA.toUnicode($0)) ?? $0 }
          throw RowProblem(
            column: "domains", value: String(raw),
            expected: "a registrable domain (per the Public Suffix List)"
              + (hint.map { ": list \($0) instead" } ?? ", not a public suffix such as com or com.cn"))
        }
        if let other = owner[domain] {
          throw RowProblem(
            column: "domains", value: domain, expected: "a domain of one platform only (also listed for \(other))")
        }
        owner[domain] = id
        domains.append(domain)
      }
      guard !domains.isEmpty else {
        throw RowProblem(column: "domains", value: domainText, expected: "one or more domains separated by spaces or ;")
      }
      let op = try fields.referenceName(.operatorName, required: false, maxLength: 200)
      platforms.append(
        Platform(id: id, nameEnglish: nameEnglish, nameChinese: nameChinese, domains: domains, operator: op))
      return true
    }
    try store(platforms)
  }

  package func store(_ platforms: [Platform]) throws {
    let db = importer.db
    let platform = try db.prepare(
      "INSERT INTO platform (batch_id, platform_id, name_en, name_zh, operator) VALUES (?, ?, ?, ?, ?)")
    let domain = try db.prepare("INSERT INTO platform_domain (batch_id, domain, platform_id) VALUES (?, ?, ?)")
    for p in platforms {
      try platform.run([
        .integer(batchID), .text(p.id), .text(p.nameEnglish), .text(p.nameChinese), .optional(p.operator),
      ])
      for d in p.domains { try domain.run([.integer(batchID), .text(d), .text(p.id)]) }
    }
    for table in ["host", "complaint_state"] {
      try db.execute(
        """
        UPDATE \(table) SET platform_id = coalesce(
          (SELECT platform_id FROM platform_domain d WHERE d.batch_id = \(batchID) AND d.domain = \(table).domain), 'other')
        """)
    }
    // The hosts' platforms changed: the counts by platform are derived anew.
    try db.execute("DELETE FROM main.platform_month")
    try db.execute(RollupEngine.platformCountsSQL(schema: "main", oneBatch: false))
  }
}
