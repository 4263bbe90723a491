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
  }

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
  /// SHA-256 of the model file, stated in every report that used it.
  public var sha256: String

  public static let notRated = "NR"

  package struct File: Codable {
    package var name: String
    package var perEvents: Double?
    package var minEvents: Int
    package var indicators: [String: Indicator]
    package var grades: [Grade]

    package enum CodingKeys: String, CodingKey {
      case name, indicators, grades
      case perEvents = "per_events"
      case minEvents = "min_events"
    }
  }

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
      return i
    }
    guard !file.grades.isEmpty else { throw ReportError(message: "\(path): grades is empty") }
    guard file.minEvents >= 1 else { throw ReportError(message: "\(path): min_events must be 1 or more") }
    guard (file.perEvents ?? 10_000).isFinite, (file.perEvents ?? 10_000) > 0 else {
      throw ReportError(message: "\(path): per_events must be a finite number above 0")
    }
    for g in file.grades {
      guard g.minScore.isFinite else {
        throw ReportError(message: "\(path): grade \(g.grade): min_score must be a finite number")
      }
    }
    // The names reach terminals, Markdown and workbooks.
    for text in [file.name] + file.grades.map(\.grade) {
      guard !text.isEmpty, text.unicodeScalars.count <= 200,
        !text.unicodeScalars.contains(where: isControlOrNoncharacter)
      else {
        throw ReportError(
          message: "\(path): the model's name and grades must be 1 to 200 characters without control characters")
      }
    }
    return RatingModel(
      name: file.name, perEvents: file.perEvents ?? 10_000, minEvents: file.minEvents,
      violation: try indicator("violation"), severe: try indicator("severe"), restriction: try indicator("restriction"),
      exposure: try indicator("exposure"), grades: file.grades.sorted { $0.minScore > $1.minScore },
      sha256: hex(SHA256.hash(data: data)))
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

  /// The formula with this model's numbers, for the reports.
  public var formula: String { formula(english: true) }

  public func formula(english: Bool) -> String {
    // Whole numbers with thousands separators (10,000), as every count of the reports.
    func f(_ d: Double) -> String { d == d.rounded() ? Int(d).grouped : String(d) }
    let score =
      "score = 100 − \(f(violation.weight))·min(v/\(f(violation.cap)), 1) − \(f(severe.weight))·min(s/\(f(severe.cap)), 1) − "
      + "\(f(restriction.weight))·min(r/\(f(restriction.cap)), 1) − \(f(exposure.weight))·min(x/\(f(exposure.cap)), 1)"
    let grades = self.grades.dropLast().map { "\($0.grade) ≥ \(f($0.minScore))" }.joined(
      separator: english ? ", " : "，")
    let last = self.grades.last!.grade
    return english
      ? "\(score); \(grades), \(last) below; \(Self.notRated) under \(minEvents.grouped) events; rates per \(f(perEvents)) events"
      : "\(score)；\(grades)，其下为 \(last)；事件数少于 \(minEvents.grouped) 为 \(Self.notRated)；比率按每 \(f(perEvents)) 次事件计"
  }
}
