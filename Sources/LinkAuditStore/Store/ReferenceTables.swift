import Foundation
import LinkAuditCore

/// The tables that spell the tool's vocabulary for SQL (`principle`,
/// `category`, `reason`, `scene`), written from the Swift enumerations on every
/// read-write open. Views and figures join them, so a case added to an
/// enumeration reaches every query without a migration, and no released
/// migration freezes a list.
package enum ReferenceTables {
  package struct Table {
    package let name: String
    package let columns: [String]
    package let rows: [[SQLValue]]
  }

  package static let all: [Table] = [
    Table(
      name: "principle", columns: ["principle", "name_en", "name_zh"],
      rows: Principle.allCases.map { [.integer(Int64($0.rawValue)), .text($0.name), .text($0.chinese)] }),
    Table(
      name: "category", columns: ["category", "principle", "name_zh"],
      rows: Category.allCases.map { [.text($0.rawValue), .integer(Int64($0.principle.rawValue)), .text($0.chinese)] }
    ),
    Table(
      name: "reason", columns: ["reason", "principle"],
      rows: EventReason.allCases.map { r in
        [.text(r.code), r.category.map { .integer(Int64($0.principle.rawValue)) } ?? .null]
      }),
    Table(
      name: "scene", columns: ["scene", "name_zh"],
      rows: Scene.allCases.map { [.text($0.rawValue), .text($0.chinese)] }),
  ]

  /// The tables whose rows differ from the enumerations'.
  package static func differing(_ db: Database) throws -> [Table] {
    try all.filter { table in
      let stored = try db.rows(
        "SELECT \(table.columns.joined(separator: ", ")) FROM main.\(table.name) ORDER BY \(table.columns[0])")
      return stored != table.rows.sorted { ($0[0].text ?? "\($0[0])") < ($1[0].text ?? "\($1[0])") }
    }
  }

  /// Rewrites the tables that differ, in one transaction; writes nothing when all agree.
  package static func sync(_ db: Database) throws {
    guard try !differing(db).isEmpty else { return }
    try db.transaction {
      for table in try differing(db) {
        try db.execute("DELETE FROM main.\(table.name)")
        let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let insert = try db.prepare(
          "INSERT INTO main.\(table.name) (\(table.columns.joined(separator: ", "))) VALUES (\(marks))")
        for row in table.rows { try insert.run(row) }
      }
    }
  }
}
