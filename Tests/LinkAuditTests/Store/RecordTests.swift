import Foundation
import LinkAuditStore
import Testing

/// Result rows are read by column name, and a NULL where a value is required
/// is an error naming the query and the column, never "" or 0.
@Suite struct RecordTests {
  @Test func columnsAreReadByNameWhateverTheirOrder() throws {
    let db = try Database(path: ":memory:")
    let rows = try db.records(
      "SELECT 'b' AS second, 1 AS first, 2.5 AS third, NULL AS fourth", source: "the test query")
    let r = try #require(rows.first)
    #expect(try r.integer("first") == 1)
    #expect(try r.text("second") == "b")
    #expect(try r.double("third") == 2.5)
    #expect(r.optionalText("fourth") == nil)
    #expect(r.optionalInteger("fourth") == nil)
  }

  @Test func aNullWhereAValueIsRequiredIsAnErrorNamingTheColumn() throws {
    let db = try Database(path: ":memory:")
    let r = try #require(try db.records("SELECT NULL AS events", source: "the test query").first)
    let error = try #require(throws: MissingValueError.self) { try r.integer("events") }
    #expect(error == MissingValueError(source: "the test query", column: "events"))
    #expect(error.localizedDescription.contains("the test query: column events is empty"))
    #expect(throws: MissingValueError.self) { try r.text("events") }
    #expect(throws: MissingValueError.self) { try r.double("events") }
  }

  @Test func namedParametersAreBound() throws {
    let db = try Database(path: ":memory:")
    let rows = try db.records("SELECT :x + 1 AS y", named: [":x": .integer(41)], source: "the test query")
    #expect(try rows.first?.integer("y") == 42)
  }
}
