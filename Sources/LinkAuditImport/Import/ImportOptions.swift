import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

public struct ImportOptions: Sendable {
  public var encoding: TextEncoding = .utf8
  /// Good rows are imported and bad ones written here with an `error` column.
  public var rejectFile: String?
  /// Zone of timestamps written without an offset.
  public var timeZone: TimeZone
  public var keyFile: String = ".linkaudit.key"
  /// Timestamps outside it are bad values.
  public var plausibleTimes: PlausibleTimes
  /// The caller's placement rule for each rejected-rows file (the package
  /// rule lives above this library: red-team G1), after the protected files'.
  public var checkOutputFile: (@Sendable (String) throws -> Void)?

  public init(
    encoding: TextEncoding = .utf8, rejectFile: String? = nil,
    timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!, keyFile: String = ".linkaudit.key",
    plausibleTimes: PlausibleTimes = PlausibleTimes()
  ) {
    self.encoding = encoding
    self.rejectFile = rejectFile
    self.timeZone = timeZone
    self.keyFile = keyFile
    self.plausibleTimes = plausibleTimes
  }
}
