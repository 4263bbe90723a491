import Crypto
import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx
import Yams

/// The platform credit rating model (外链平台信用分级): weights, caps, grade
/// thresholds and the minimum number of events to be rated, read from YAML
/// (`templates/rating-model.yaml` by default).
public struct RatingModel: Equatable, Sendable {
  public struct Indicator: Codable, Equatable, Sendable {
    public var weight: Double
    public var cap: Double
    /// This indicator's own `prior_events`, where its counts carry more (or
    /// less) evidence than complaints do; the model's when absent.
    public var priorEvents: Double?

    package enum CodingKeys: String, CodingKey {
      case weight, cap
      case priorEvents = "prior_events"
    }
  }

  public var indicators: [Indicator] { [violation, severe, restriction, exposure] }

  /// The events of weight the all-platform rate has, per indicator.
  public var priors: [Double] { indicators.map { $0.priorEvents ?? priorEvents } }

  public struct Grade: Codable, Equatable, Sendable {
    public var grade: String
    public var minScore: Double

    package enum CodingKeys: String, CodingKey {
      case grade
      case minScore = "min_score"
    }
  }

  public var name: String
  public var perEvents: Double
  public var minEvents: Int
  public var violation: Indicator
  public var severe: Indicator
  public var restriction: Indicator
  public var exposure: Indicator
  /// Highest threshold first; the last applies below all the others.
  public var grades: [Grade]
  /// The indicators are counted over this many quarters, the rated one last
  /// (`window_quarters`; 1, the quarter alone, when the model does not say).
  public var windowQuarters: Int
  /// How many events of evidence weigh as much as the all-platform rate
  /// (`prior_events`; 0, no shrinkage, when the model does not say): each
  /// indicator is (count + prior_events · pooled rate) / (events + prior_events).
  public var priorEvents: Double
  /// SHA-256 of the model file, stated in every report that used it.
  public var sha256: String

  public static let notRated = "NR"

  package struct File: Codable {
    package var name: String
    package var perEvents: Double?
    package var minEvents: Int
    package var indicators: [String: Indicator]
    package var grades: [Grade]
    package var windowQuarters: Int?
    package var priorEvents: Double?

    package enum CodingKeys: String, CodingKey {
      case name, indicators, grades
      case perEvents = "per_events"
      case minEvents = "min_events"
      case windowQuarters = "window_quarters"
      case priorEvents = "prior_events"
    }
  }

  /// The models shipped in templates/, by name: SHA-256 of each file (a
  /// test holds them to the files).
  public static let shippedModels: [String: String] = [
    "linkaudit-default-2026": "ec38688bc736672b72a468c4524e12e48d06a72147da6a3d4219e7bcd99c0e6e",
    "linkaudit-default-2021": "f5f578273e1a0a47a84a7764be17cbe926599cff3104d8804d5f2415d3496488",
  ]

  public static func load(path: String) throws -> RatingModel {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReportError(message: "\(path): cannot read the rating model")
    }
    let file: File
    do {
      file = try YAMLDecoder().decode(File.self, from: String(decoding: data, as: UTF8.self))
    } catch {
      throw ReportError(message: "\(path): not a rating model (\(error))")
    }
    func indicator(_ key: String) throws -> Indicator {
      guard let i = file.indicators[key] else {
        throw ReportError(message: "\(path): indicators.\(key) is missing (violation, severe, restriction, exposure)")
      }
      guard i.cap > 0, i.weight >= 0, i.cap.isFinite, i.weight.isFinite, i.weight <= 100 else {
        throw ReportError(
          message: "\(path): indicators.\(key) needs a finite cap above 0 and a weight from 0 to 100")
      }
      guard (i.priorEvents ?? 0).isFinite, (i.priorEvents ?? 0) >= 0 else {
        throw ReportError(message: "\(path): indicators.\(key).prior_events must be a finite number of 0 or more")
      }
      return i
    }
    guard !file.grades.isEmpty else { throw ReportError(message: "\(path): grades is empty") }
    guard file.minEvents >= 1 else { throw ReportError(message: "\(path): min_events must be 1 or more") }
    guard (file.perEvents ?? 10_000).isFinite, (file.perEvents ?? 10_000) > 0 else {
      throw ReportError(message: "\(path): per_events must be a finite number above 0")
    }
    guard (1...40).contains(file.windowQuarters ?? 1) else {
      throw ReportError(message: "\(path): window_quarters must be a whole number from 1 to 40")
    }
    guard (file.priorEvents ?? 0).isFinite, (file.priorEvents ?? 0) >= 0 else {
      throw ReportError(message: "\(path): prior_events must be a finite number of 0 or more")
    }
    for g in file.grades {
      guard g.minScore.isFinite else {
        throw ReportError(message: "\(path): grade \(g.grade): min_score must be a finite number")
      }
    }
    // The names reach terminals, Markdown and workbooks.
    for text in [file.name] + file.grades.map(\.grade) {
      guard !text.isEmpty, text.unicodeScalars.count <= 200,
        // Nor invisible ones (U+200B, U+2060, …: format characters), which
        // would let a model print as a shipped model's name and not be it.
        !text.unicodeScalars.contains(where: { isForbiddenInText($0) || $0.properties.generalCategory == .format })
      else {
        throw ReportError(
          message:
            "\(path): the model's name and grades must be 1 to 200 characters without control, invisible or bidirectional characters"
        )
      }
    }
    let sha256 = hex(SHA256.hash(data: data))
    // A model that names itself as a shipped one is that one, byte for byte:
    // a copy edited under the same name would grade otherwise while every
    // package said the shipped model was used.
    if let shipped = shippedModels[file.name], shipped != sha256 {
      throw ReportError(
        message:
          "\(path): names itself \(file.name), a model shipped with linkaudit, but is not that model (SHA-256 \(sha256.prefix(12))…, shipped \(shipped.prefix(12))…): give an edited model a name of its own"
      )
    }
    return RatingModel(
      name: file.name, perEvents: file.perEvents ?? 10_000, minEvents: file.minEvents,
      violation: try indicator("violation"), severe: try indicator("severe"), restriction: try indicator("restriction"),
      exposure: try indicator("exposure"), grades: file.grades.sorted { $0.minScore > $1.minScore },
      windowQuarters: file.windowQuarters ?? 1, priorEvents: file.priorEvents ?? 0, sha256: sha256
    )
  }

  /// The first grade whose threshold the score reaches; below them all, the last.
  public func grade(for score: Double) -> String {
    grades.first { score >= $0.minScore }?.grade ?? grades.last!.grade
  }

  /// 100 less each indicator's weight times its value over its cap (at most 1).
  /// Returns the score and the points each indicator cost, in indicator order.
  public func score(violation v: Double, severe s: Double, restriction r: Double, exposure x: Double)
    -> (score: Double, deductions: [Double])
  {
    let deductions = [
      violation.weight * min(v / violation.cap, 1), severe.weight * min(s / severe.cap, 1),
      restriction.weight * min(r / restriction.cap, 1), exposure.weight * min(x / exposure.cap, 1),
    ]
    return (100 - deductions.reduce(0, +), deductions)
  }

  /// The observed rates per `perEvents` events, in indicator order; nil without events.
  public func observed(_ c: RatingCounts) -> [Double?] {
    c.indicatorCounts.map { count in c.events > 0 ? Double(count) * perEvents / Double(c.events) : nil }
  }

  /// The rates the score uses: each count shrunk toward the all-platform rate
  /// (`pooled`) with `priorEvents` events of weight,
  /// (count + prior_events · pooled count / pooled events) / (events + prior_events)
  /// per `perEvents` events. With prior_events 0 this is the observed rate.
  public func adjusted(_ c: RatingCounts, pooled: RatingCounts) -> [Double] {
    (0..<4).map { i in
      let (count, all, k) = (c.indicatorCounts[i], pooled.indicatorCounts[i], priors[i])
      let prior = pooled.events > 0 ? k * Double(all) / Double(pooled.events) : 0
      let weight = Double(c.events) + k
      return weight > 0 ? (Double(count) + prior) * perEvents / weight : 0
    }
  }

  /// A rated platform's adjusted rates, score and the points each indicator cost.
  public func evaluate(_ c: RatingCounts, pooled: RatingCounts) -> (
    adjusted: [Double], score: Double, deductions: [Double]
  ) {
    let a = adjusted(c, pooled: pooled)
    let (score, deductions) = self.score(violation: a[0], severe: a[1], restriction: a[2], exposure: a[3])
    return (a, score, deductions)
  }

  /// The grade's place, 0 the best; with `delta` upheld complaints more (or
  /// fewer) on the platform (`RatingCounts.complaintsChanged`), the
  /// all-platform counts moving by what the platform's did, as they would.
  package func gradeRank(_ c: RatingCounts, pooled: RatingCounts, complaints delta: Int64 = 0) -> Int {
    let moved = c.complaintsChanged(by: delta)
    var all = pooled
    all.violations += moved.violations - c.violations
    all.severe += moved.severe - c.severe
    let g = grade(for: evaluate(moved, pooled: all).score)
    return grades.firstIndex { $0.grade == g } ?? grades.count - 1
  }

  /// The fewest upheld complaints more that lower the grade, and the fewest
  /// fewer (of those the platform has) that raise it; nil where no number
  /// would. Each is counted as the costliest kind (`RatingCounts.complaintsChanged`)
  /// and moves the all-platform rate with it, as it would. The score only
  /// falls as complaints are added, so each is a binary search.
  public func margins(_ c: RatingCounts, pooled: RatingCounts) -> (down: Int64?, up: Int64?) {
    let now = gradeRank(c, pooled: pooled)
    func rank(_ delta: Int64) -> Int { gradeRank(c, pooled: pooled, complaints: delta) }
    func fewest(_ limit: Int64, _ moves: (Int64) -> Bool) -> Int64? {
      guard limit >= 1, moves(limit) else { return nil }
      var (low, high) = (Int64(0), limit)  // moves(high), not moves(low)
      while high - low > 1 {
        let mid = low + (high - low) / 2
        if moves(mid) { high = mid } else { low = mid }
      }
      return high
    }
    let down = fewest(1 << 40) { rank($0) > now }
    let up = fewest(c.violations) { rank(-$0) < now }
    return (down, up)
  }

  /// The formula with this model's numbers, for the reports.
  public var formula: String { formula(in: .en) }

  /// The formula over several lines, its terms indented under it: the
  /// ratings sheet writes a line a row.
  public func formulaLines(in language: ReportLanguage) -> String {
    let english = language == .en
    return formula(in: language)
      .replacingOccurrences(of: english ? ", where " : "，其中", with: english ? "\n    where " : "\n    其中")
      .replacingOccurrences(of: english ? "; " : "；", with: english ? ";\n    " : "；\n    ")
  }

  public func formula(in language: ReportLanguage) -> String {
    let english = language == .en
    // Whole numbers with thousands separators (10,000), as every count of the reports.
    let f = Self.number
    // In Chinese the score is 得分, and each letter is a symbol defined where
    // it is first used, by its indicator's name: 成立投诉率（v）.
    let letters = ["v", "s", "r", "x"]
    let symbols =
      english ? letters : RatingIndicator.allCases.map { "\($0.name(in: .zh))率（\($0.letter)）" }
    let score =
      "\(english ? "score" : "得分") = 100 − \(f(violation.weight))·min(v/\(f(violation.cap)), 1) − \(f(severe.weight))·min(s/\(f(severe.cap)), 1) − "
      + "\(f(restriction.weight))·min(r/\(f(restriction.cap)), 1) − \(f(exposure.weight))·min(x/\(f(exposure.cap)), 1)"
    let grades = self.grades.dropLast().map { "\($0.grade) ≥ \(f($0.minScore))" }.joined(
      separator: english ? ", " : "，")
    let last = self.grades.last!.grade
    let notRated = language.word(.grade, Self.notRated)
    // A model without a window or shrinkage reads as it always did.
    guard windowQuarters > 1 || priors.contains(where: { $0 > 0 }) else {
      return english
        ? "\(score); \(grades), \(last) below; \(Self.notRated) under \(minEvents.grouped) events; rates per \(f(perEvents)) events"
        : "\(score)，其中 \(symbols.joined(separator: "、")) 为每 \(f(perEvents)) 次事件的比率；\(grades)，其下为 \(last)；事件数少于 \(minEvents.grouped) 为\(notRated)"
    }
    // One clause per prior: "v, s, x = (count + 12,000·…) / (events + 12,000); r = (count + 1,000·…) …".
    var order: [Double] = []
    for k in priors where !order.contains(k) { order.append(k) }
    let clauses = order.map { k -> String in
      let names = (0..<4).filter { priors[$0] == k }.map { symbols[$0] }.joined(separator: english ? ", " : "、")
      return english
        ? "\(names) = (count + \(f(k))·all-platform rate) / (events + \(f(k)))"
        : "\(names) =（计数 + \(f(k))·全平台比率）/（事件数 + \(f(k))）"
    }.joined(separator: english ? "; " : "；")
    return english
      ? "\(score), where \(clauses), per \(f(perEvents)) events, over the last \(windowQuarters) quarters; "
        + "\(grades), \(last) below; \(Self.notRated) under \(minEvents.grouped) events in the window"
      : "\(score)，其中 \(clauses)，按每 \(f(perEvents)) 次事件计，统计最近 \(windowQuarters) 个季度；"
        + "\(grades)，其下为 \(last)；窗口内事件数少于 \(minEvents.grouped) 为\(notRated)"
  }

  /// A model's number as the reports print it: a whole one grouped (12,000),
  /// any other as Swift prints it (1e+300 never traps).
  package static func number(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? Int(d).grouped : String(d)
  }

  /// The most points one upheld complaint can cost a platform with `events`
  /// events in the window (one of principles 1-2 counts in v and s), before caps.
  public func pointsPerComplaint(events: Int) -> Double {
    (violation.weight / violation.cap / (Double(events) + priors[0])
      + severe.weight / severe.cap / (Double(events) + priors[1])) * perEvents
  }
}
