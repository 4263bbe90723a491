import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// The columns of one kind of input, as the contract names them. A loader
/// reads its fields by these cases, never by number; the case's raw value is
/// where the reader puts its value.
package protocol InputColumn: CaseIterable, RawRepresentable, Sendable where RawValue == Int {
  var name: String { get }
}

extension InputColumn {
  /// Every column's name, in the order the reader hands their values.
  package static var names: [String] { allCases.map(\.name) }
}

/// The contract's rules for one value, shared by every kind of input.
package struct FieldReader<Column: InputColumn> {
  package var values: [String?] = []
  package let timestamps: TimestampParser
  package let plausible: PlausibleTimes

  package init(timestamps: TimestampParser, plausible: PlausibleTimes) {
    self.timestamps = timestamps
    self.plausible = plausible
  }

  package func name(_ c: Column) -> String { c.name }

  /// The value with surrounding whitespace kept (text is stored as given), nil when absent or blank.
  package func raw(_ i: Column) -> String? {
    guard let v = values[i.rawValue], !v.isBlank else { return nil }
    return v
  }

  /// `condition` names what makes an optional column required ("status is resolved").
  package func required(_ i: Column, when condition: String? = nil) throws(RowProblem) -> String {
    guard let v = raw(i) else {
      let why = condition.map { "required when \($0)" } ?? "the column is required"
      throw RowProblem(column: name(i), value: nil, expected: "a value (\(why))")
    }
    return v
  }

  /// Text with no control characters or noncharacters (tab, CR and LF
  /// allowed when `multiline`) and at most `maxLength` characters, counted
  /// as Unicode scalars (what Excel's cell limit counts, and what a string of
  /// combining marks cannot hide behind). `personal` values are never repeated in messages.
  package func text(
    _ i: Column, required isRequired: Bool, maxLength: Int, multiline: Bool = false, personal: Bool = false
  )
    throws(RowProblem) -> String?
  {
    guard let v = isRequired ? try required(i) : raw(i) else { return nil }
    let shown = personal ? nil : v
    switch TextRuleBreach.check(v, maxLength: maxLength, multiline: multiline) {
    case nil: break
    case .forbidden(let s):
      throw RowProblem(
        column: name(i), value: shown,
        expected:
          "text without control characters, noncharacters or bidirectional controls (found \(TextRuleBreach.code(s)))")
    case .tooLong(let n):
      throw RowProblem(column: name(i), value: shown, expected: "at most \(maxLength) characters (found \(n))")
    }
    return v
  }

  /// A complaint's id: text by the rules above that a spreadsheet cannot
  /// read as a formula and that carries no mobile or ID number (a hotline
  /// ticket numbered by the caller's phone): ids are printed in the package
  /// and in the notices sent to other platforms, where no mask can apply
  /// without breaking the reference.
  package func identifier(_ i: Column, required isRequired: Bool, maxLength: Int) throws(RowProblem) -> String? {
    guard let v = try text(i, required: isRequired, maxLength: maxLength) else { return nil }
    if startsLikeAFormula(v.utf8.first) {
      throw RowProblem(
        column: name(i), value: v,
        expected: "an id that does not start with = + - @ (a spreadsheet would read it as a formula)")
    }
    if PersonalNumberMask.carriesPersonalNumber(v) {
      throw RowProblem(
        column: name(i), value: v,
        expected: "an id that carries no mobile or ID number (give the ticket an id of its own)")
    }
    return v
  }

  /// A name from reference data (a platform's names, its operator): text by
  /// the rules above that carries no mobile or ID number. Names are printed in
  /// every package, the ratings and the notices, and name things by name; a
  /// number there is a mistake, refused with its row as ids are (red-team F4).
  package func referenceName(_ i: Column, required isRequired: Bool, maxLength: Int) throws(RowProblem) -> String? {
    guard let v = try text(i, required: isRequired, maxLength: maxLength) else { return nil }
    if PersonalNumberMask.carriesPersonalNumber(v) {
      throw RowProblem(
        column: name(i), value: v,
        expected: "a name with no mobile or ID number in it (names are printed in every package and notice)")
    }
    return v
  }

  package func enumeration<E: RawRepresentable & CaseIterable>(
    _ i: Column, _ type: E.Type, required isRequired: Bool, when condition: String? = nil
  )
    throws(RowProblem) -> E? where E.RawValue == String
  {
    guard let v = isRequired ? try required(i, when: condition) : raw(i) else { return nil }
    let code = v.trimmed
    guard let e = E(rawValue: code) else { throw RowProblem(column: name(i), value: v, expected: E.expectation) }
    return e
  }

  package func timestamp(_ i: Column, required isRequired: Bool, when condition: String? = nil)
    throws(RowProblem) -> Timestamp?
  {
    guard let v = isRequired ? try required(i, when: condition) : raw(i) else { return nil }
    guard let t = timestamps.parse(v) else {
      throw RowProblem(column: name(i), value: v, expected: TimestampParser.expectation)
    }
    guard plausible.contains(t) else { throw RowProblem(column: name(i), value: v, expected: plausible.expectation) }
    return t
  }

  package func url(_ i: Column, using normaliser: URLNormaliser) throws(RowProblem) -> (raw: String, url: ExternalURL) {
    let v = try text(i, required: true, maxLength: LinkEventLoader.urlLength)!
    do {
      let url = try normaliser.normalise(v)
      return (url.hadUserinfo ? url.shared : v, url)
    } catch {
      throw RowProblem(column: name(i), value: v, expected: error.reason)
    }
  }
}

/// The times an import accepts: from `earliest` (default 2000-01-01) to
/// `latest` (default ten years from now), both UTC. A log's timestamps
/// outside it are errors of the export (a wrapped year, an epoch in the wrong
/// unit), and one such event would make "the latest quarter" one in 2286.
public struct PlausibleTimes: Sendable, Equatable {
  public var earliest: Timestamp
  public var latest: Timestamp

  public init(earliest: Timestamp = Self.defaultEarliest, latest: Timestamp = Self.defaultLatest()) {
    self.earliest = earliest
    self.latest = latest
  }

  public static let defaultEarliest = Timestamp(
    milliseconds: CivilCalendar.days(year: 2000, month: 1, day: 1) * 86_400_000)

  /// Ten years from now.
  public static func defaultLatest(now: Date = Date()) -> Timestamp {
    Timestamp(milliseconds: Int64((now.timeIntervalSince1970 + 10 * 365.25 * 86_400) * 1000))
  }

  package func contains(_ t: Timestamp) -> Bool { t >= earliest && t <= latest }

  /// A span of time (a quarter: `from` to before `until`) that holds a
  /// plausible time: a quarter wholly outside the range can hold no event.
  package func overlaps(from: Timestamp, until: Timestamp) -> Bool { from <= latest && until > earliest }

  package var expectation: String {
    "a time from \(earliest.iso.prefix(10)) to \(latest.iso.prefix(10)) UTC (the plausible range; --earliest and --latest change it)"
  }
}
