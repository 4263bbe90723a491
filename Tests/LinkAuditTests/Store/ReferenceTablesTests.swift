import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

/// The vocabulary SQL joins is the tool's own: the reference tables hold the
/// enumerations' cases, and every view built on them covers every case.
@Suite struct ReferenceTablesTests {
  @Test func theReferenceTablesHoldEveryCaseOfTheEnumerations() throws {
    let db = try TestStore().open()
    #expect(
      try db.rows("SELECT scene FROM scene ORDER BY scene").map { $0[0] }
        == Scene.allCases.map(\.rawValue).sorted().map { .text($0) })
    #expect(
      try db.rows("SELECT category, principle FROM category ORDER BY category").map { $0 }
        == Category.allCases.sorted { $0.rawValue < $1.rawValue }.map {
          [.text($0.rawValue), .integer(Int64($0.principle.rawValue))]
        })
    #expect(
      try db.rows("SELECT principle, name_zh FROM principle ORDER BY principle").map { $0 }
        == Principle.allCases.map { [.integer(Int64($0.rawValue)), .text($0.chinese)] })
    #expect(
      try db.rows("SELECT reason, principle FROM reason ORDER BY reason").map { $0 }
        == EventReason.allCases.sorted { $0.code < $1.code }.map {
          [.text($0.code), $0.category.map { .integer(Int64($0.principle.rawValue)) } ?? .null]
        })
    #expect(try ReferenceTables.differing(db).isEmpty)
  }

  /// Conformance reads `policy_treatment`: a scene or reason it lacked would
  /// drop that traffic from the rate without a word.
  @Test func policyTreatmentHasATreatmentForEverySceneAndReason() throws {
    let store = try MetricCatalogueTests.loaded()
    let db = try store.open(.readOnly)
    let reasons = [SQLValue.null, .text("scene_rule")] + Category.allCases.map { .text($0.rawValue) }
    for version in try db.rows("SELECT version FROM policy_version").map({ $0[0] }) {
      let rows = try db.rows(
        "SELECT scene, reason, treatment FROM policy_treatment WHERE version = ?", [version])
      #expect(rows.count == Scene.allCases.count * reasons.count)
      #expect(rows.allSatisfy { !$0[2].isNull })
      for scene in Scene.allCases {
        #expect(
          Set(rows.filter { $0[0] == .text(scene.rawValue) }.map { $0[1].text ?? "" })
            == Set(reasons.map { $0.text ?? "" }), "\(scene)")
      }
    }
  }

  @Test func anEditedReferenceTableIsPutBackOnTheNextReadWriteOpenAndAnAgreeingOneIsNotWritten() throws {
    let store = TestStore()
    do {
      let db = try store.open()
      try db.execute("DELETE FROM scene WHERE scene = 'moments'; UPDATE category SET principle = 4")
      #expect(try ReferenceTables.differing(db).map(\.name) == ["category", "scene"])
      db.close()
    }
    let db = try store.open()
    #expect(try ReferenceTables.differing(db).isEmpty)
    // A store that agrees is not written on open: its bytes stay as they are.
    db.close()
    let before = try store.bytes()
    try store.open().close()
    #expect(try store.bytes() == before)
  }
}
