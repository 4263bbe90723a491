import Foundation
import LinkAuditCore
import LinkAuditStore

/// Where report writes when no `--out` names a folder: `reports/YYYY-Qn`
/// (the zone's suffix after it), the `-vN` folder beside it that keeps the
/// filed version it replaces, and its archive. The user gave none of these
/// paths, so report writes through no link among them (red-team J3: a
/// `reports/2021-Q4` linked to a USB stick's copy had report write the
/// missing files onto the stick, move the stick's v1 to `-v1` there and put
/// v2 and its zip beside it, and doctor then called the kept v1 gone). A
/// link the user names as `--out` is the folder it leads to (D7), so the way
/// to write there is to name it.
public enum DefaultPlace {
  /// The folder report writes packages in by default.
  public static let reports = "reports"

  /// Refuses the default folder `folder` (`reports/2021-Q4`) when it, the
  /// reports folder, or the `-vN` folder the version it holds would be kept
  /// in is a link. Reads only.
  public static func checkNoLink(folder: String) throws {
    let name = (folder as NSString).lastPathComponent
    if let link = link(reports) {
      throw refusal(reports, link, writing: link.resolved.map { ($0 as NSString).appendingPathComponent(name) })
    }
    if let link = link(folder) { throw refusal(folder, link, writing: link.resolved) }
    // The folder's filed version is kept in its `-vN` before the new one takes the folder.
    if let held = try? Manifest.read(from: folder).filing?.version {
      try checkNoLink(kept: ReportPackage.keptPath(of: folder, version: held))
    }
  }

  /// Refuses a `-vN` folder or an archive path of the default place that is a link.
  public static func checkNoLink(kept path: String) throws {
    guard let link = link(path) else { return }
    throw refusal(path, link, writing: nil)
  }

  /// Every link on report's default place, for doctor (`reports`, or the
  /// folder doctor is told packages are in): the reports folder itself, and in it every link named as a quarter's folder, a kept `-vN`
  /// folder or a filing's archive, with what report does about it.
  public static func links(in reports: String = reports) -> [String] {
    if let link = link(reports) {
      return [
        "\(escapingControls(reports)) is \(link.shown): \(rule); a report without --out is refused (name --out \(link.resolved.map { escapingControls($0) + "/YYYY-Qn" } ?? "FOLDER") to write there, or remove the link)"
      ]
    }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    return names.compactMap { name in
      let path = (reports as NSString).appendingPathComponent(name)
      guard isReportsName(name), let link = link(path) else { return nil }
      return
        "\(escapingControls(path)) is \(link.shown): \(rule); a report without --out that would write there is refused (name --out to write where it leads, or remove the link)"
    }
  }

  static let rule = "report writes no package through a link it was not given"

  /// A refusal of `place`, report's default folder, said as such: with no
  /// `--out` given, "--out reports/2021-Q4 holds …" names an option the user
  /// never wrote (red-team K7), and "name a new or empty folder" is advice
  /// for one who did. Any other refusal is as it was.
  public static func unnamed(_ error: OutputPathError, place: String) -> OutputPathError {
    let named = "--out \(place)"
    guard error.message.hasPrefix(named) else { return error }
    let advice = [
      ("; name a new or empty folder", "; move its files out, or name --out a new or empty folder"),
      ("; name the quarter's own folder", "; move that package out, or name --out another folder"),
      // `reports` a file, a link leading nowhere: the place is not the user's to name (red-team L9).
      (": name a folder", ": move it out of the way, or name --out a folder"),
    ]
    let message = advice.reduce(
      "\(place) (where report writes the quarter when no --out is given)" + error.message.dropFirst(named.count)
    ) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    return OutputPathError(message: message)
  }

  /// A name report gives in the reports folder: `2021-Q4`, `2021-Q4-UTC`, `2021-Q4-v1`, `linkaudit-2021-Q4-v2.zip`.
  static func isReportsName(_ name: String) -> Bool {
    if FiledPackage.isArchiveName(name) { return true }
    guard name.count >= 7, Quarter(String(name.prefix(7))) != nil else { return false }
    return name.count == 7 || name.dropFirst(7).hasPrefix("-")
  }

  /// `path` itself is a symbolic link.
  public static func isLink(_ path: String) -> Bool { link(path) != nil }

  /// The link at `path`, or nil when it is none: what it is, said (`a link to /media/usb/2021-Q4`), and where it leads.
  static func link(_ path: String) -> (shown: String, resolved: String?)? {
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
    guard stat(path, &info) == 0 else {
      let written = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
      // A loop leads somewhere, round and round (red-team E12's wording).
      let what = errno == ELOOP ? "in a loop (it leads back to itself)" : "which leads nowhere"
      return ("a link to \(escapingControls(written)), \(what)", nil)
    }
    let resolved = FileIdentity(path).canonical
    return ("a link to \(escapingControls(resolved))", resolved)
  }

  private static func refusal(_ path: String, _ link: (shown: String, resolved: String?), writing: String?)
    -> OutputPathError
  {
    let advice =
      writing.map { "name --out \(escapingControls($0)) to write there, or remove the link" } ?? "remove the link"
    return OutputPathError(message: "\(escapingControls(path)) is \(link.shown): \(rule); \(advice)")
  }
}
