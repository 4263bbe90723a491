import Foundation
import LinkAuditCore
import LinkAuditStore

/// Where a command other than `report` may put what it writes: one rule for
/// every output path (`query --out`, `import --reject-file`, the database and
/// pseudonym key `import` makes, `export reference`, `keys new`). A report
/// package holds exactly the files its manifest lists, and a filing's archive
/// is the copy handed over: a file written into a package makes that filed
/// version fail verify, and one written over an archive loses it (red-team G1).
/// So no output lies inside a package folder, at any depth; no output
/// replaces a file that holds a package (an archive told by its content, as
/// report's claim check tells it, or by the name report gives one); and no
/// key is made where packages are handed over (red-team E9, G1).
public enum OutputPlacement {
  /// Refuses `path` as a file to be written (made, or replaced whole) by
  /// `option`: inside a report package, or over a filing's archive. Reads only.
  public static func checkFile(_ path: String, option: String) throws {
    let shown = escapingControls(path)
    let folder = parentPath(FileIdentity(path).canonical)
    if let package = PackageFolder.packageHolding(folder.isEmpty ? "." : folder) {
      throw OutputPathError(message: "\(option) \(shown) \(inside(package)); \(writeElsewhere)")
    }
    if let archive = archiveHeld(at: path) {
      throw OutputPathError(
        message:
          "\(option) \(shown) is \(archive): an archive handed over is never replaced; name a new file (or move the archive away first)"
      )
    }
  }

  /// Refuses `path` as a folder files are written into by `option` (one
  /// there already, or one to be made): a report package, or inside one.
  /// `itself: false` leaves a package folder itself to the caller's own rule
  /// (export reference and demo write only into a new or empty folder, and say so).
  public static func checkFolder(_ path: String, option: String, itself: Bool = true) throws {
    if let package = PackageFolder.packageHolding(path) {
      let isIt = package == FileIdentity(path).canonical
      if isIt && !itself { return }
      throw OutputPathError(
        message:
          "\(option) \(escapingControls(path)) \(isIt ? "is the report package \(describe(package)): a package holds only the files its manifest lists, and a file written into it would make it fail verify" : inside(package)); \(writeElsewhere)"
      )
    }
  }

  /// Refuses `path` as the database `import` makes or writes: inside a report
  /// package (it and its pseudonym key would be handed over with the package).
  public static func checkDatabase(_ path: String, option: String) throws {
    let folder = parentPath(FileIdentity(path).canonical)
    if let package = PackageFolder.packageHolding(folder.isEmpty ? "." : folder) {
      throw OutputPathError(
        message:
          "\(option) \(escapingControls(path)) \(inside(package)), and a database of pseudonymised events (with its pseudonym key beside it) would be handed over with it: keep the database in a folder of its own, outside any package"
      )
    }
  }

  /// Refuses `path` as the pseudonym key `import` uses: inside a report
  /// package; and, when no key is there yet (it would be made), in a folder
  /// that holds report packages (`reportsFolder`, the rule `keys new` puts
  /// the signing key under, when that folder holds a package: red-team E9, G1). A key already kept there is
  /// the database's own: moving it is the user's, and doctor's to say.
  public static func checkPseudonymKey(_ path: String, database: String, option: String) throws {
    let shown = escapingControls(path)
    let folder = parentPath(FileIdentity(path).canonical)
    if let package = PackageFolder.packageHolding(folder.isEmpty ? "." : folder) {
      throw OutputPathError(
        message:
          "\(option) \(shown) \(inside(package)), and a pseudonym key there would be handed over with it: \(keyElsewhere(database, package))"
      )
    }
    var info = stat()
    // A reports folder holding no package yet is left alone: a database kept there (red-team D11) is keys new's to refuse.
    guard lstat(path, &info) != 0,
      let place = packagesPlace(holding: path, database: database, databaseMade: lstat(database, &info) != 0),
      let found = place.found ?? PackageFolder.packageFound(in: place.folder)
    else { return }
    let held = " (it holds \(escapingControls(found.path)), \(found.what))"
    // The folder above the key's own: the database does not lie there; what is there is what to move (red-team J4).
    if place.isAbove {
      throw OutputPathError(
        message:
          "\(option) \(shown): no pseudonym key is made in a folder right inside \(escapingControls(place.folder)), where packages are written and handed over\(held): \(besidePackages): \(moveOrKeepApart(found, place.folder, "--key-file in a folder of its own (or the database, --db, in one, its key beside it)"))"
      )
    }
    throw OutputPathError(
      message:
        "\(option) \(shown): no pseudonym key is made in \(escapingControls(place.folder)), where packages are written and handed over\(held): \(besidePackages): \(keyElsewhere(database, place.folder))"
    )
  }

  /// The advice when packages lie one folder above a key's (red-team J4): move
  /// that package out of the folder, or keep the key (named by `option`) in a
  /// folder not right inside it.
  public static func moveOrKeepApart(_ found: (path: String, what: String), _ folder: String, _ option: String)
    -> String
  {
    "move \(escapingControls(found.path)) out of \(escapingControls(folder)), or keep the key apart: \(option), not right inside \(escapingControls(folder))"
  }

  /// The reports folder `path` (a key's) lies in: the folder packages are
  /// written in (one that holds a package folder or a filing's archive
  /// itself, whatever its name) when that is the key's own folder or the one
  /// above it, the database's own folder aside (C12's kept choice, below), the rule report's `--out` keeps the other way round (it
  /// refuses a package beside a key in its folder or one folder down:
  /// red-team E9, H9: `filings/keys/k.pem` beside `filings/2021-Q4` is handed
  /// over with it, and would block the next `report --out filings/2021-Q4`);
  /// one folder up only what report writes there counts, a package folder or
  /// an archive by the name report gives one (red-team J4: a sealed zip or a
  /// zip of any other name in a home folder blocked every project's key under
  /// it); its own folder or the one above it named `reports` (red-team B9:
  /// `reports/k.pem` is handed over with the packages as surely as
  /// `reports/keys/k.pem`), or higher up one that holds a package; and its own
  /// folder, whatever its name, when one of its subfolders holds a package
  /// folder or a filing's archive (red-team C12, D11, E9: an archive copied
  /// into `handover/x/`, under any name), unless it is the database's own
  /// folder, where the keys are kept by default (a working folder, whatever
  /// else it holds: report exempts it alike, C12), once the database is
  /// there: a new database's keys are not made in a folder of packages. The
  /// folder above the database's is looked into all the same (red-team I7:
  /// `work/proj/.linkaudit.key` beside `work/proj/n.db` refused `report --out
  /// work/2021-Q4`): one rule both ways, so no key is made that report would
  /// then refuse a package beside.
  public static func reportsFolder(holding path: String, database: String, databaseMade: Bool = false) -> String? {
    packagesPlace(holding: path, database: database, databaseMade: databaseMade)?.folder
  }

  /// Where `reportsFolder` found packages: the folder, what made it one when
  /// that is known (`nil`: a folder named `reports`, told by its name, or a
  /// subfolder's package), and whether it is the folder above the key's own
  /// (red-team J4: the advice differs, the database does not lie there).
  public struct PackagesPlace {
    public var folder: String
    public var found: (path: String, what: String)?
    public var isAbove: Bool
  }

  /// `reportsFolder`, with what made the folder one.
  public static func packagesPlace(holding path: String, database: String, databaseMade: Bool = false)
    -> PackagesPlace?
  {
    var folder = parentPath(FileIdentity(path).canonical)
    // The database's own folder is a working folder (C12): a package in it does not make it one of packages.
    // Not for a database import is about to make there (`databaseMade`: `import --db filings/n.db`
    // beside `filings/2021-Q4`, red-team H9): its pseudonym key is refused, so no new database brings its keys there.
    var depth = -1
    while folder != "/" && !folder.isEmpty {
      // Looked into only where it decides: no walk of every folder up to the root.
      // The mirror of report's rule (`PackageFolder.checkNoKeyBeside`): a package right in the key's folder or
      // the one above it would be refused as an `--out` because of this key, that folder not the database's own
      // (red-team I7: `work/proj/.linkaudit.key` blocked `report --out work/2021-Q4`).
      // A shared temporary folder is no folder of packages, on both sides.
      // One folder up, only what report writes there counts (red-team J4): a package folder or an archive by
      // the name report gives one. An archive of any other name, or one not read through (a sealed zip in a
      // home folder), counts only in the key's own folder and below, as before (H9, I6).
      if depth <= 0, !PackageFolder.isKeysDefaultPlace(folder, database: database) || databaseMade,
        !PackageFolder.isSharedScratch(folder),
        let found = depth == -1 ? packageIn(folder) : packageWrittenIn(folder)
      {
        // A folder named reports above the key's is said as one (red-team B9), the key lying in a folder inside it.
        return PackagesPlace(
          folder: folder, found: found, isAbove: depth == 0 && (folder as NSString).lastPathComponent != "reports")
      }
      if (folder as NSString).lastPathComponent == "reports" {
        if depth <= 0 || PackageFolder.holdsPackage(folder) {
          return PackagesPlace(folder: folder, found: nil, isAbove: false)
        }
      } else if depth == -1, !PackageFolder.isKeysDefaultPlace(folder, database: database),
        !PackageFolder.isSharedScratch(folder), PackageFolder.holdsPackage(folder)
      {
        return PackagesPlace(folder: folder, found: nil, isAbove: false)
      }
      folder = parentPath(folder)
      depth += 1
    }
    return nil
  }

  /// The first package folder or filing's archive right in `folder` (not in
  /// its subfolders), with what it is: what makes it a folder packages are
  /// written in. The same tests as `PackageFolder.packageFound`, one level.
  static func packageIn(_ folder: String) -> (path: String, what: String)? {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    return PackageFolder.packageFound(among: names.map { (folder as NSString).appendingPathComponent($0) })
  }

  /// The first package folder (a linkaudit manifest) or archive by the name
  /// report gives one right in `folder`: what report writes there, the
  /// mirror of its `--out` rule (a key one folder down blocks only those).
  static func packageWrittenIn(_ folder: String) -> (path: String, what: String)? {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    for name in names {
      let path = (folder as NSString).appendingPathComponent(name)
      if FiledPackage.isArchiveName(name) { return (path, "a filing's archive") }
      if (try? Manifest.read(from: path)) != nil { return (path, "a report package") }
    }
    return nil
  }

  /// What a file at `path` is, when it holds a report package: a regular
  /// file (a link is replaced, not followed: its target stays) named as
  /// report names a filing's archive, or a zip or tar holding a linkaudit
  /// manifest whatever its name (`PackageFolder.archiveContent`, report's
  /// claim check's reading), or an archive a bound left unread.
  static func archiveHeld(at path: String) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    if FiledPackage.isArchiveName((path as NSString).lastPathComponent) { return "named as a filing's archive" }
    // A tar's as well as a zip's: a tar.gz not read through is held too (red-team H4).
    switch PackageFolder.packageArchiveContent(path) {
    case .manifests(let manifests, _):
      let named =
        manifests.compactMap { try? Manifest.decode($0, path: path) }.first.map {
          " (\(escapingControls($0.identity)))"
        } ?? ""
      return "a report package's archive\(named)"
    // An archive not read through (a bound: its entries, its size unpacked, an archive nested too deep) may
    // hold one handed over (red-team G4): never replaced, as the claim check files no new version past it.
    case .notRead(let why):
      return "an archive not read through (\(escapingControls(why))): it may be a report package's archive"
    case .unread: return nil
    case .notAnArchive: return nil
    }
  }

  private static func describe(_ package: String) -> String {
    let named = (try? Manifest.read(from: package)).map { " (\(escapingControls($0.identity)))" } ?? ""
    return escapingControls(package) + named
  }

  private static func inside(_ package: String) -> String {
    "lies inside the report package \(describe(package)): a package holds only the files its manifest lists, and a file written into it would make it fail verify"
  }

  /// Why a key is not kept in a folder of packages, nor in a folder right inside one: report's rule, said both ways.
  public static let besidePackages =
    "a key in that folder or in a folder right inside it is handed over with the packages there, and report refuses to write a package beside it"

  private static let writeElsewhere = "only linkaudit report writes there; name a path outside any package"

  /// Where to keep the key instead: beside the database, unless the database lies in `folder` too.
  private static func keyElsewhere(_ database: String, _ folder: String) -> String {
    FileIdentity(parentPath(FileIdentity(database).canonical)).isWithin(folder)
      ? "the database lies there too: move the database (with its key) into a folder of its own, outside the folders of packages"
      : "keep the key beside the database (the default) or name a --key-file in a folder of its own"
  }
}
