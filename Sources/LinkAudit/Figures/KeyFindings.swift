import Foundation
import LinkAuditCore
import LinkAuditStore
import Yams

/// The rules that choose the key findings page, kept as data
/// (`templates/findings.yaml`): what needs action, in order, each with the
/// ids of its cases, then what improved. A rule never chooses by hand.
public struct FindingRules: Equatable, Sendable {
  public enum Kind: String, CaseIterable, Sendable {
    /// Regulator referrals past their deadline at the quarter's end.
    case overdueReferrals = "overdue_referrals"
    /// Other complaints open and past their deadline at the quarter's end, principle 1 first.
    case overdueComplaints = "overdue_complaints"
    /// Decisions whose taps were least handled as decided.
    case leastEnforcedDecisions = "least_enforced_decisions"
    /// Principle 1 (unlawful content) events handled more leniently than the policy prescribes.
    case unlawfulLetThrough = "unlawful_let_through"
    /// Upheld complaints closed with less than the prescribed action.
    case upheldWithoutAction = "upheld_without_action"
    /// Platforms whose grade fell.
    case gradeFalls = "grade_falls"
    /// Gaps in the data: local days without any event, a complaint feed silent past its threshold.
    case dataGaps = "data_gaps"
    /// Rates that moved the wrong way beyond their 95% intervals.
    case worseBeyondInterval = "worse_beyond_interval"
    /// Rates that moved the right way beyond their 95% intervals.
    case betterBeyondInterval = "better_beyond_interval"
  }

  public struct Rule: Equatable, Sendable {
    public var kind: Kind
    /// How many ids are listed (the count is always whole).
    public var limit: Int
  }

  public enum Better: String, Sendable { case higher, lower }

  public var needsAction: [Rule]
  public var improved: [Rule]
  /// The rates compared quarter to quarter, and which way is better.
  public var rates: [(MetricID, Better)]

  public static func == (a: FindingRules, b: FindingRules) -> Bool {
    a.needsAction == b.needsAction && a.improved == b.improved
      && a.rates.map { "\($0.0)=\($0.1)" } == b.rates.map { "\($0.0)=\($0.1)" }
  }

  public static let fileName = "findings.yaml"
  static let defaultLimit = 10

  /// Reads `findings.yaml`; every mistake refused with its line.
  public static func load(path: String, known: Set<MetricID>) throws -> FindingRules {
    guard FileManager.default.fileExists(atPath: path) else {
      throw FileError(
        file: path,
        message:
          "missing: the key findings page's rules belong in the template folder; copy findings.yaml from linkaudit's templates/"
      )
    }
    // Its size is checked before it is read: a huge file is refused unread (red-team E6).
    let data: Data
    switch SmallFile.read(path, limit: 256 * 1024) {
    case .success(let bytes): data = bytes
    case .failure(.tooLarge(let size)):
      throw FileError(
        file: path, message: "is \(size.grouped) bytes: the key findings' rules take a few lines (at most 256 KiB)")
    case .failure(.unreadable(let why)): throw FileError(file: path, message: why)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw FileError(file: path, message: "is not UTF-8 text")
    }
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
      throw FileError(file: path, message: "is not valid YAML")
    }
    func line(_ n: Node?) -> Int? { n?.mark.map(\.line) }
    guard let top = root?.mapping else {
      throw FileError(file: path, line: 1, message: "must be a mapping: needs_action, improved, rates")
    }
    for (key, _) in top where !["needs_action", "improved", "rates"].contains(key.string ?? "") {
      throw FileError(
        file: path, line: line(key),
        message:
          "unknown key \"\(escapingControls(key.string ?? ""))\": a findings.yaml holds needs_action, improved, rates")
    }
    func rules(_ key: String) throws -> [Rule] {
      guard let node = top[key] else { return [] }
      guard let list = node.sequence else {
        throw FileError(file: path, line: line(node), message: "\(key) must be a list of rules (- kind: …)")
      }
      return try list.map { item in
        guard let m = item.mapping, let kindText = m["kind"]?.string else {
          throw FileError(file: path, line: line(item), message: "\(key): a rule is a mapping with a kind")
        }
        // A key misspelt (`limt`) would be dropped silently, its rule read with the default (red-team E8).
        for (k, _) in m where !["kind", "limit"].contains(k.string ?? "") {
          throw FileError(
            file: path, line: line(k),
            message:
              "\(key): unknown key \"\(escapingControls(k.string ?? ""))\" in a rule: a rule holds kind and limit")
        }
        guard let kind = Kind(rawValue: kindText) else {
          throw FileError(
            file: path, line: line(m["kind"]),
            message:
              "\(key): unknown kind \"\(escapingControls(kindText))\": one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
          )
        }
        var limit = defaultLimit
        if let l = m["limit"] {
          // Decimal digits only: YAML would read `0x10` as 16 and `0o20` as 16 (red-team E8).
          guard let text = l.scalar?.string, !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }),
            let n = Int(text), (1...1000).contains(n)
          else {
            throw FileError(file: path, line: line(l), message: "\(key): limit must be a whole number from 1 to 1000")
          }
          limit = n
        }
        return Rule(kind: kind, limit: limit)
      }
    }
    var rates: [(MetricID, Better)] = []
    if let node = top["rates"] {
      guard let m = node.mapping else {
        throw FileError(file: path, line: line(node), message: "rates must map a rate's id to higher or lower")
      }
      for (k, v) in m {
        let id = MetricID(rawValue: k.string ?? "")
        guard known.contains(id) else {
          throw FileError(
            file: path, line: line(k),
            message: "rates: \"\(escapingControls(id.rawValue))\" is not a rate of the catalogue")
        }
        guard let better = v.string.flatMap(Better.init(rawValue:)) else {
          throw FileError(
            file: path, line: line(v), message: "rates: \(id) must be higher or lower (which way is better)")
        }
        rates.append((id, better))
      }
    }
    return FindingRules(needsAction: try rules("needs_action"), improved: try rules("improved"), rates: rates)
  }
}

/// A rate that moved between the quarters beyond what chance explains.
public struct RateChange: Sendable {
  public var metricID: MetricID
  /// This quarter's counts, then the previous quarter's.
  public var now: (numerator: Int64, denominator: Int64)
  public var before: (numerator: Int64, denominator: Int64)
  public var better: Bool

  public var nowRate: Double { Double(now.numerator) / Double(now.denominator) }
  public var beforeRate: Double { Double(before.numerator) / Double(before.denominator) }
}

/// One finding of the key findings page: its rule, how many cases, and the
/// cases listed (at most the rule's limit).
public struct KeyFinding: Sendable {
  public enum Item: Sendable {
    case referral(ReportData.ComplaintRow)
    /// A complaint overdue at the end: its principle, category and days past the deadline.
    case overdue(ReportData.ComplaintRow)
    case decision(ReportData.DecisionRow)
    case event(ReportData.GotThroughRow)
    case complaint(ReportData.ComplaintRow)
    /// A rated platform whose grade moved: named as the registry names it, never by its id.
    case platform(PlatformRating)
    case rate(RateChange)
    /// Days since the last complaint, at or past the threshold that flags a silent feed.
    case complaintSilence(days: Int)
    /// Local days of the quarter without any event, in runs (`2022-01-03–2022-01-05`).
    case daysWithoutEvents(String)
  }

  public var kind: FindingRules.Kind
  public var count: Int
  public var items: [Item]
}

extension ReportData {
  /// The findings the rules choose from this quarter's data, in the rules' order.
  public func keyFindings(_ rules: [FindingRules.Rule], rates: [(MetricID, FindingRules.Better)]) -> [KeyFinding] {
    rules.map { rule in
      let all: [KeyFinding.Item]
      var count: Int?
      switch rule.kind {
      case .overdueReferrals:
        all = overdueReferrals.sorted { ($0.daysOverdue ?? 0, $1.complaintID) > ($1.daysOverdue ?? 0, $0.complaintID) }
          .map { .referral($0) }
      case .overdueComplaints:
        // The referrals have their own rule; unlawful content first, then the longest overdue.
        all = backlog.filter { $0.isOverdue && $0.channel != Channel.regulatorReferral.rawValue }
          .sorted {
            ($0.principle, -($0.daysOverdue ?? 0), $0.complaintID) < (
              $1.principle, -($1.daysOverdue ?? 0), $1.complaintID
            )
          }
          .map { .overdue($0) }
      case .leastEnforcedDecisions:
        all = decisionsLeastEnforcedFirst.map { .decision($0) }
      case .unlawfulLetThrough:
        all = gotThrough.filter { $0.principle == Int64(Principle.lawfulContent.rawValue) }.map { .event($0) }
        // The list holds the first `gotThroughLimit`; the figure counts them all.
        count = current[.underRestricted(.lawfulContent)]?.double.map { Int($0) }
      case .upheldWithoutAction:
        all = upheldWithoutAction.map { .complaint($0) }
      case .gradeFalls:
        all = gradeFalls.map { .platform($0) }
      case .dataGaps:
        var gaps: [KeyFinding.Item] = []
        if !daysWithoutEvents.isEmpty { gaps.append(.daysWithoutEvents(daysWithoutEventsText)) }
        if let days = current[.daysSinceLastComplaint]?.double, days >= Double(MetricCatalogue.complaintSilenceDays) {
          gaps.append(.complaintSilence(days: Int(days)))
        }
        all = gaps
      case .worseBeyondInterval, .betterBeyondInterval:
        let better = rule.kind == .betterBeyondInterval
        all = rateChanges(rates).filter { $0.better == better }.map { .rate($0) }
      }
      return KeyFinding(kind: rule.kind, count: count ?? all.count, items: Array(all.prefix(rule.limit)))
    }
  }

  /// The rates over events, which a policy's treatments decide: not compared across a policy change.
  public static let eventRates: Set<MetricID> = [
    .openRate, .conformanceRate, .overRestrictedRate, .sceneRuleShare, .choiceRate, .proceedRate,
  ]

  /// Rated platforms whose grade is lower than last quarter's, by the model's order of grades.
  var gradeFalls: [PlatformRating] {
    guard let ratings else { return [] }
    let order = ratings.model.grades.map(\.grade)
    return ratings.ratings.filter { Self.gradeFell(from: $0.previousGrade, to: $0.grade, order: order) }
  }

  /// Whether a grade is lower than the one before, by the model's order
  /// (best first); a platform not rated in either quarter has no fall.
  static func gradeFell(from before: String, to now: String, order: [String]) -> Bool {
    guard let a = order.firstIndex(of: before), let b = order.firstIndex(of: now) else { return false }
    return b > a
  }

  /// The rates `rates` names whose change from the previous quarter lies
  /// beyond their intervals: the two quarters' Wilson 95% intervals do not
  /// overlap, so a change on a few cases is not narrated as a trend (5 of 5
  /// then 1 of 3 is within the noise).
  public func rateChanges(_ rates: [(MetricID, FindingRules.Better)]) -> [RateChange] {
    rates.compactMap { id, better in
      // Across a change of policy an event rate measures other rules, not other behaviour (reader39):
      // the Rules in force sheet compares it version by version instead.
      if spansPolicyChange, Self.eventRates.contains(id) { return nil }
      guard let a = current.figure(id, dimension: ""), let b = previous.figure(id, dimension: ""),
        let x1 = a.numerator, let n1 = a.denominator, let x2 = b.numerator, let n2 = b.denominator,
        n1 > 0, n2 > 0, RateChange.beyondChance(x1, n1, x2, n2)
      else { return nil }
      let rising = Double(x1) / Double(n1) > Double(x2) / Double(n2)
      return RateChange(metricID: id, now: (x1, n1), before: (x2, n2), better: rising == (better == .higher))
    }
  }
}

extension RateChange {
  /// Whether x1/n1 and x2/n2 differ beyond their intervals: their Wilson
  /// 95% intervals do not overlap.
  public static func beyondChance(_ x1: Int64, _ n1: Int64, _ x2: Int64, _ n2: Int64) -> Bool {
    let (a, b) = (Wilson.interval(successes: x1, trials: n1), Wilson.interval(successes: x2, trials: n2))
    return a.high < b.low || b.high < a.low
  }
}

/// The key findings of one report: what needs action, then what improved.
public struct ReportFindings: Sendable {
  public var needsAction: [KeyFinding]
  public var improved: [KeyFinding]

  public init(needsAction: [KeyFinding], improved: [KeyFinding]) {
    self.needsAction = needsAction
    self.improved = improved
  }

  public init(_ data: ReportData, rules: FindingRules) {
    needsAction = data.keyFindings(rules.needsAction, rates: rules.rates)
    improved = data.keyFindings(rules.improved, rates: rules.rates)
  }
}
