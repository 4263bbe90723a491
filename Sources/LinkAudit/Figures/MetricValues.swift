import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// A figure's value: a count, a decimal, a text (grades), or none (a rate
/// whose denominator is empty: never shown as 0).
public enum MetricValue: Equatable, Sendable {
  case count(Int64)
  case decimal(Double)
  case text(String)
  case none

  /// As `metrics.csv` writes it: integers plain, decimals with at most six
  /// digits after the point (trailing zeros dropped), none as empty.
  public var csv: String {
    switch self {
    case .count(let n): return String(n)
    case .decimal(let x): return Self.decimal(x)
    case .text(let t): return t
    case .none: return ""
    }
  }

  public var double: Double? {
    switch self {
    case .count(let n): return Double(n)
    case .decimal(let x): return x
    default: return nil
    }
  }

  package static func decimal(_ x: Double) -> String {
    var text = String(format: "%.6f", x)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
  }
}

/// One row of `metrics.csv`.
public struct Figure: Equatable, Sendable {
  public let metricID: MetricID
  /// Empty, or `key=value`.
  public let dimension: String
  public let value: MetricValue
  /// A rate's numerator; nil for counts and hours.
  public let numerator: Int64?
  /// A rate's denominator, or the number of values an hours figure is taken over; nil for counts.
  public let denominator: Int64?

  public init(
    _ metricID: MetricID, _ dimension: String = "", _ value: MetricValue, numerator: Int64? = nil,
    denominator: Int64? = nil
  ) {
    self.metricID = metricID
    self.dimension = dimension
    self.value = value
    self.numerator = numerator
    self.denominator = denominator
  }

  /// A denominator under this is a small number: the rate carries its Wilson interval.
  public static let smallDenominator: Int64 = 20
  /// A P90 over fewer values than this is the maximum, and says so.
  public static let smallSample: Int64 = 10

  /// The Wilson score interval (95%) of a rate, when its denominator is a small number.
  public var smallNumberInterval: (low: Double, high: Double)? {
    guard let numerator, let denominator, denominator > 0, denominator < Self.smallDenominator else { return nil }
    return Wilson.interval(successes: numerator, trials: denominator)
  }
}

/// The Wilson score interval of a proportion (Wilson 1927): unlike the normal
/// approximation it stays within 0..1 and is honest about small samples,
/// where a rate of 3 of 7 reads 16%-75%.
public enum Wilson {
  /// z for a two-sided 95% interval.
  public static let z95 = 1.959963984540054

  public static func interval(successes x: Int64, trials n: Int64, z: Double = z95) -> (low: Double, high: Double) {
    let (p, n, z2) = (Double(x) / Double(n), Double(n), z * z)
    let scale = 1 + z2 / n
    let centre = (p + z2 / (2 * n)) / scale
    let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / scale
    return (max(0, centre - half), min(1, centre + half))
  }
}

/// The figures of one quarter, computed by running each metric's SQL.
public struct QuarterFigures: Sendable {
  public let quarter: Quarter
  public let timeZone: TimeZone
  public let figures: [Figure]
  /// Where each (id, dimension) is in `figures`: the writers look up every
  /// figure of the catalogue, twice, in both languages.
  private let positions: [String: Int]

  /// Runs every metric of `definitions` for `quarter` on `db`.
  public init(
    database db: Database, quarter: Quarter, timeZone: TimeZone,
    definitions: [MetricDefinition] = MetricCatalogue.all, ratings: QuarterRatings? = nil
  ) throws {
    try self.init(
      database: db, period: ReportPeriod(quarter, in: timeZone), definitions: definitions, ratings: ratings)
  }

  /// Runs every metric of `definitions` for `period` on `db`.
  public init(
    database db: Database, period: ReportPeriod,
    definitions: [MetricDefinition] = MetricCatalogue.all, ratings: QuarterRatings? = nil
  ) throws {
    (quarter, timeZone) = (period.quarter, period.timeZone)
    try Rollups.prepare(db, for: period.timeZone)
    let parameters = period.parameters
    var figures: [Figure] = []
    for d in definitions {
      let began = Timing.start()
      defer { Timing.report("\(period.quarter) \(d.label)", since: began) }
      let statement = try db.prepare(d.sql)
      try statement.bind(named: parameters)
      defer { statement.reset() }
      while try statement.step() {
        // The value, then a rate's numerator and denominator when the query gives them.
        // The dimension's values first, one column per key (`decision=c1,action=open`).
        let keys = d.dimensionKeys
        let v = keys.count
        let counted = statement.columnCount >= v + 3
        // A dimension's value is stored text (a domain may be a mobile number,
        // `13812345678.cn`): masked as every register masks it (red-team A21).
        let label = keys.enumerated().map {
          "\($1)=\(PersonalNumberMask.mask(statement.value(at: $0).text ?? ""))"
        }.joined(separator: ",")
        figures.append(
          Figure(
            d.id, label, Self.value(statement.value(at: v), kind: d.kind),
            numerator: counted ? statement.value(at: v + 1).integer : nil,
            denominator: counted ? statement.value(at: v + 2).integer : nil))
      }
    }
    figures += ratings?.figures ?? []
    self.figures = figures.sorted { ($0.metricID, $0.dimension) < ($1.metricID, $1.dimension) }
    positions = Dictionary(
      self.figures.enumerated().map { (Self.key($1.metricID, $1.dimension), $0) },
      uniquingKeysWith: { first, _ in first })
  }

  /// The quarter the figures are of.
  public var period: ReportPeriod { ReportPeriod(quarter, in: timeZone) }

  /// This quarter's `:start` and `:end`.
  package var parameters: [String: SQLValue] { period.parameters }

  package static func value(_ v: SQLValue, kind: MetricKind) -> MetricValue {
    switch (v, kind) {
    case (.null, _): return .none
    case (_, .count): return .count(v.integer ?? 0)
    case (_, .text): return .text(v.text ?? "")
    default: return v.double.map { .decimal($0) } ?? .none
    }
  }

  /// The figures of `id` along dimension `key`, as (value of the key, figure value), in metrics.csv order.
  public func along(_ id: MetricID, _ key: String) -> [(label: String, value: MetricValue)] {
    let prefix = key + "="
    return figures.filter { $0.metricID == id && $0.dimension.hasPrefix(prefix) }.map {
      (String($0.dimension.dropFirst(prefix.count)), $0.value)
    }
  }

  /// A figure's values along `key`, highest first, ties by label: the order
  /// every list of them is read in (never by English id, issue 32).
  public func ranked(_ id: MetricID, _ key: String) -> [(label: String, value: MetricValue)] {
    along(id, key).sorted { ($0.value.double ?? -1, $1.label) > ($1.value.double ?? -1, $0.label) }
  }

  /// `pN.upheld_by_domain` as the reports rank it: most upheld first, ties by domain.
  public func topDomains(_ p: Principle) -> [(label: String, value: MetricValue)] {
    along(.upheldByDomain(p), "domain").sorted {
      ($0.value.double ?? 0, $1.label) > ($1.value.double ?? 0, $0.label)
    }
  }

  public subscript(_ id: MetricID, dimension dimension: String = "") -> MetricValue? {
    figure(id, dimension: dimension)?.value
  }

  public func figure(_ id: MetricID, dimension: String = "") -> Figure? {
    positions[Self.key(id, dimension)].map { figures[$0] }
  }

  /// A figure's key: its id and dimension, which no id or dimension holds (a NUL between).
  private static func key(_ id: MetricID, _ dimension: String) -> String { id.rawValue + "\u{0}" + dimension }

  /// `metrics.csv`: UTF-8, header `metric_id,dimension,value,numerator,denominator`,
  /// sorted by id then dimension; numerator and denominator empty for counts.
  public var csv: String {
    var text = "metric_id,dimension,value,numerator,denominator\n"
    for f in figures {
      text +=
        csvLine([
          f.metricID.rawValue, f.dimension, f.value.csv, f.numerator.map(String.init) ?? "",
          f.denominator.map(String.init) ?? "",
        ])
        + "\n"
    }
    return text
  }
}
