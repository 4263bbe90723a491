import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditStore
import Testing

/// Ratings on the hand-counted fixture of MetricCatalogueTests, quarter 2021-Q4.
/// Platforms: taobao e1 e2 (opens, no principle); douyin e3 (scene_rule) e4 (fraud,
/// block); other e5 e6 e7 e8 e11 e12 e13. Upheld complaints of principles 1-3, all on
/// `other` domains: c1 c2 c10 (principle 1) and c7 (principle 2).
@Suite struct PlatformRatingsTests {
  static let templates = ReportPackageTests.templates

  static func model(_ yaml: String, in store: TestStore) throws -> RatingModel {
    try RatingModel.load(path: try store.dir.write("model.yaml", yaml))
  }

  /// Caps far above the values, so each indicator's share of its weight shows.
  static let wideCaps = """
    name: wide-caps
    min_events: 2
    indicators:
      violation: {weight: 40, cap: 10000}
      severe: {weight: 20, cap: 10000}
      restriction: {weight: 30, cap: 10000}
      exposure: {weight: 10, cap: 10000}
    grades:
      - {grade: A, min_score: 90}
      - {grade: B, min_score: 75}
      - {grade: C, min_score: 60}
      - {grade: D, min_score: -1000000}
    """

  func ratings(_ store: TestStore, _ model: RatingModel, _ quarter: String = "2021-Q4") throws -> QuarterRatings {
    try QuarterRatings(
      database: store.open(.readOnly), quarter: Quarter(quarter)!, timeZone: TimeZone(identifier: "Asia/Shanghai")!,
      model: model)
  }

  @Test func everyIndicatorAndTheScoreMatchTheHandCount() throws {
    let store = try MetricCatalogueTests.loaded()
    let r = try ratings(store, Self.model(Self.wideCaps, in: store))
    let other = try #require(r.ratings.first { $0.platformID == "other" })
    // n = 7; violations c1 c2 c7 c10 = 4; severe the same 4; restrictions e5 e6 e11 e12 = 4;
    // opens under a decision e7 e13 = 2. Per 10,000: 5714.2857, 5714.2857, 5714.2857, 2857.1429.
    #expect(other.events == 7)
    #expect((other.upheldViolations, other.upheldSevere, other.restrictions, other.exposedOpens) == (4, 4, 4, 2))
    #expect(abs(other.violationRate! - 40_000.0 / 7) < 1e-9)
    #expect(abs(other.exposureRate! - 20_000.0 / 7) < 1e-9)
    // 100 - 40(4/7) - 20(4/7) - 30(4/7) - 10(2/7) = 100 - 380/7 = 45.714286 -> D.
    #expect(abs(other.score! - (100 - 380.0 / 7)) < 1e-9)
    #expect(other.grade == "D")
    // douyin: n = 2, restriction e4 -> r = 5000 -> 100 - 30(0.5) = 85 -> B.
    let douyin = try #require(r.ratings.first { $0.platformID == "douyin" })
    #expect(douyin.score == 85 && douyin.grade == "B")
    // taobao: nothing against it -> 100 -> A; in Q3 it had 1 event (e10): NR.
    let taobao = try #require(r.ratings.first { $0.platformID == "taobao" })
    #expect(taobao.score == 100 && taobao.grade == "A" && taobao.gradeChange == "NR→A")
    // Sorted by score: taobao, douyin, other, then the unrated.
    #expect(r.ratings.prefix(3).map(\.platformID) == ["taobao", "douyin", "other"])
    #expect(
      r.explanation(other, english: true).hasPrefix("Points lost to upheld complaints −22.86, restrictions −17.14"))
  }

  @Test func capsLimitWhatAnIndicatorCanCost() throws {
    let model = try RatingModel.load(path: Self.templates + "/rating-model.yaml")
    #expect(model.minEvents == 1000 && model.violation.cap == 5)
    // With the default caps every indicator of `other` is far past its cap: 0.
    let (score, deductions) = model.score(
      violation: 40_000.0 / 7, severe: 40_000.0 / 7, restriction: 40_000.0 / 7, exposure: 20_000.0 / 7)
    #expect(score == 0 && deductions == [40, 20, 30, 10])
    // Half of each cap costs half of each weight.
    #expect(model.score(violation: 2.5, severe: 1, restriction: 50, exposure: 0.5).score == 50)
  }

  /// The formula the reports print groups its thousands, as every count does.
  @Test func theFormulaGroupsThousands() throws {
    let model = try RatingModel.load(path: Self.templates + "/rating-model.yaml")
    #expect(model.formula(english: true).hasSuffix("NR under 1,000 events; rates per 10,000 events"))
    #expect(model.formula(english: false).hasSuffix("事件数少于 1,000 为 NR；比率按每 10,000 次事件计"))
  }

  @Test func gradeBoundariesAreInclusiveFromAbove() throws {
    let model = try RatingModel.load(path: Self.templates + "/rating-model.yaml")
    #expect(model.grade(for: 90) == "A")
    #expect(model.grade(for: 89.999_999_999) == "B")
    #expect(model.grade(for: 75) == "B")
    #expect(model.grade(for: 74.999_999) == "C")
    #expect(model.grade(for: 60) == "C")
    #expect(model.grade(for: 59.999_999) == "D")
    #expect(model.grade(for: -5) == "D")
  }

  @Test func platformsUnderMinEventsAreListedAsNotRatedWithTheReason() throws {
    let store = try MetricCatalogueTests.loaded()
    let r = try ratings(store, RatingModel.load(path: Self.templates + "/rating-model.yaml"))
    // Every registry platform and `other` appears; none has 1,000 events here.
    #expect(r.ratings.count == DefaultPlatformRegistry.platforms.count + 1)
    #expect(r.ratings.allSatisfy { $0.grade == "NR" && $0.score == nil })
    let zero = try #require(r.ratings.first { $0.platformID == "zhihu" })
    #expect(r.explanation(zero, english: true) == "Not rated: 0 events, fewer than the 1,000 the model requires.")
    let figures = r.figures.filter { $0.dimension == "platform=zhihu" }
    #expect(figures.first { $0.metricID == "rating.grade" }?.value == .text("NR"))
    #expect(figures.first { $0.metricID == "rating.grade_change" }?.value == .text("NR→NR"))
    #expect(figures.first { $0.metricID == "rating.violation_rate" }?.value == MetricValue.none)
  }

  @Test func aGradeChangeIsReportedAgainstThePreviousQuarter() throws {
    let store = try MetricCatalogueTests.loaded()
    // Q1 2022 holds e9 only (taobao): with min_events 1, taobao was A in Q4 ... and A again.
    let model = try Self.model(
      Self.wideCaps.replacingOccurrences(of: "min_events: 2", with: "min_events: 1"), in: store)
    let q1 = try ratings(store, model, "2022-Q1")
    #expect(q1.ratings.first { $0.platformID == "taobao" }?.gradeChange == "A→A")
    // douyin had B in Q4 and no events in Q1.
    #expect(q1.ratings.first { $0.platformID == "douyin" }?.gradeChange == "B→NR")
  }

  @Test func aBadModelFileIsRefusedWithItsName() throws {
    let store = TestStore()
    let error = try #require(throws: ReportError.self) {
      try Self.model(
        "name: x\nmin_events: 10\nindicators: {violation: {weight: 1, cap: 0}}\ngrades: [{grade: A, min_score: 0}]",
        in: store)
    }
    #expect(error.message.contains("model.yaml") && error.message.contains("indicators.violation"))
  }

  @Test func theReportCarriesRatingsAndNamesItsModel() throws {
    let store = try MetricCatalogueTests.loaded()
    let model = try Self.model(Self.wideCaps, in: store)
    let out = store.dir.file("rated")
    let db = try store.open(.readOnly)
    try ReportPackage(
      quarter: Quarter("2021-Q4")!, timeZone: TimeZone(identifier: "Asia/Shanghai")!, languages: [.en],
      templates: Self.templates, ratingModel: model
    ).write(database: db, to: out)
    let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
    #expect(csv.contains("rating.grade,platform=douyin,B,,\n"))
    #expect(csv.contains("rating.score,platform=other,45.714286,,\n"))
    #expect(csv.contains("rating.grade_change,platform=taobao,NR→A,,\n"))
    let manifest = try Manifest.read(from: out)
    #expect(manifest.ratingModel == .init(name: "wide-caps", sha256: model.sha256))
    let md = try String(contentsOfFile: out + "/ratings.en.md", encoding: .utf8)
    #expect(md.contains("| douyin | Douyin | 2 | 0.00 | 0.00 | 5000.00 | 0.00 | 85.00 | B | NR→B |"))
    #expect(try String(contentsOfFile: out + "/summary.en.md", encoding: .utf8).contains("## Platform credit ratings"))
    #expect(try ReportPackage.verify(directory: out, database: db, templates: Self.templates, ratingModel: model) == [])
    let other = try RatingModel.load(path: Self.templates + "/rating-model.yaml")
    #expect(
      try ReportPackage.verify(directory: out, database: db, templates: Self.templates, ratingModel: other)
        .contains { $0.hasPrefix("rating model:") })
  }
}
