import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditStore

/// The letters a platform is sent: one notice per registered platform and
/// language, from `templates/LANG/notice.md.mustache`, with its grade and the
/// previous one, each indicator and what it cost, the evidence by id, what
/// would restore the grade and how to respond. Written beside a package,
/// never into one (a package is verified file by file).
public struct RatingNotices {
  public let ratings: QuarterRatings
  public let timeZone: TimeZone
  public let templates: String
  public let languages: [ReportLanguage]

  public init(ratings: QuarterRatings, timeZone: TimeZone, templates: String, languages: [ReportLanguage]) {
    (self.ratings, self.timeZone, self.templates, self.languages) = (ratings, timeZone, templates, languages)
  }

  public static let templateName = "notice.md.mustache"

  /// `notice-2022-Q1-jd.zh.md`; an id with other characters than letters,
  /// digits, `-`, `_` and `.` has them as `_`, so no id names a path.
  public static func fileName(quarter: Quarter, platformID: String, language: ReportLanguage) -> String {
    let safe = String(
      platformID.unicodeScalars.map { c -> Character in
        c.isASCII && (CharacterSet.alphanumerics.contains(c) || "-_".unicodeScalars.contains(c)) ? Character(c) : "_"
      })
    return "notice-\(quarter)-\(safe).\(language.rawValue).md"
  }

  /// Each notice's name and text, platforms in the ratings' order, languages as given.
  public func render() throws -> [(name: String, text: String)] {
    var files: [(name: String, text: String)] = []
    for language in languages {
      let path = ((templates as NSString).appendingPathComponent(language.rawValue) as NSString)
        .appendingPathComponent(Self.templateName)
      let template = try MarkdownWriter.template(at: path)
      let text = RatingText(ratings, language: language, timeZone: timeZone)
      for r in ratings.ratings {
        var context = text.header.merging(text.platform(r)) { _, platform in platform }
        context["quarter"] = language == .en ? ratings.quarter.description : language.quarterName(ratings.quarter)
        files.append(
          (
            Self.fileName(quarter: ratings.quarter, platformID: r.platformID, language: language),
            template.render(context)
          ))
      }
    }
    return files
  }

  /// A file `write(to:)` may have written: `notice-…-….LANG.md`.
  static func isNoticeName(_ name: String) -> Bool {
    name.hasPrefix("notice-") && (name.hasSuffix(".zh.md") || name.hasSuffix(".en.md"))
  }

  /// Writes the notices into `directory` (made when missing); returns their paths.
  /// Refused inside a report package, and over a protected file.
  public func write(to directory: String, protecting protected: ProtectedFiles) throws -> [String] {
    let fm = FileManager.default
    let folder = (directory as NSString).standardizingPath
    // The folder and every folder above it: a package's subfolder is in the package too.
    var ancestors: [String] = []
    var walk = FileIdentity(folder).canonical
    while !walk.isEmpty, !ancestors.contains(walk) {
      ancestors.append(walk)
      walk = parentPath(walk)
    }
    for candidate in ancestors {
      if fm.fileExists(atPath: (candidate as NSString).appendingPathComponent(ReportPackage.manifestName)) {
        throw OutputPathError(
          message:
            "--notices \(directory) is in a report package (\(candidate) holds \(ReportPackage.manifestName)): notices go beside the package, not in it, e.g. reports/\(ratings.quarter)-notices"
        )
      }
    }
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw OutputPathError(message: "--notices \(directory) is a file: name a folder for the notices")
    }
    // Never into an inbox (a notice there is read as an input next time),
    // and only into a folder that is empty or holds notices alone.
    try InboxFolders.refuseOutputFolder(directory, option: "--notices")
    let files = try render()
    let paths = files.map { (folder as NSString).appendingPathComponent($0.name) }
    for path in paths { try protected.checkOutputFile(path, option: "--notices") }
    if let other = try? fm.contentsOfDirectory(atPath: folder).sorted().first(where: { !Self.isNoticeName($0) }) {
      throw OutputPathError(
        message:
          "--notices \(directory) holds \(escapingControls(other)), which is not a notice: name an empty folder or one that holds notices only"
      )
    }
    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (file, path) in zip(files, paths) {
      try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
    return paths
  }
}
