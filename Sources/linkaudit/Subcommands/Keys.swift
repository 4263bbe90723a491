import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore

/// Where the package signing key is: `--signing-key`, else $LINKAUDIT_SIGNING_KEY,
/// else beside the database (as the pseudonym key is, in a file of its own).
struct SigningKeyOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Package signing key (Ed25519, PEM).",
      discussion:
        "Default: $LINKAUDIT_SIGNING_KEY, else .linkaudit-signing-key.pem beside the database. A report is signed when the key exists."
    ))
  var signingKey: String?

  /// The key's path, and whether it was named (a named key that is missing is an error).
  func path(database: DatabaseOptions) -> (path: String, named: Bool) {
    if let signingKey { return (signingKey, true) }
    if let env = ProcessInfo.processInfo.environment["LINKAUDIT_SIGNING_KEY"], !env.isEmpty { return (env, true) }
    return ((parentPath(database.path) as NSString).appendingPathComponent(SigningKey.defaultName), false)
  }
}

struct Keys: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Make the key that signs report packages, or print its public half.",
    discussion: """
      A package signed with this key (manifest.sig beside manifest.json) can be checked by \
      anyone holding the public key, without the database: linkaudit verify DIR --public-key \
      FILE, or openssl pkeyutl -verify -pubin -inkey FILE -rawin -in manifest.json -sigfile \
      manifest.sig. The key is kept apart from the pseudonym key, which it never replaces.
      """,
    subcommands: [New.self, Public.self])

  struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a new Ed25519 signing key (mode 0600); an existing file is never replaced.",
      discussion: """
        The key is not made in a folder handed over with packages: a reports folder, or one \
        holding (itself or in a subfolder) a package folder or a package's archive, told by \
        what it holds whatever its name: a zip (the filing's archive or the package's files \
        alone), a tar or a tar.gz. Other compressed forms (xz, bzip2, zstd, 7z, rar) are not \
        looked into: keep the key in a folder of its own.
        """)
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var key: SigningKeyOptions

    func run() throws {
      let path = key.path(database: database).path
      try Self.checkPlace(path, database: database.path)
      // The database, its journal or the pseudonym key, named as such (red-team F15); a signing key there is create's to say.
      let target = FileIdentity(path)
      // Also where none is yet: a key made as d.db-wal would be read by SQLite as the database's journal.
      if let entry = database.protectedFiles.entries.first(where: {
        $0.role != "the signing key" && target.isSame(as: FileIdentity($0.path))
      }) {
        let refusal = PackageFolder.exists(path) ? "refusing to replace it" : "no key goes there"
        throw OutputPathError(
          message:
            "--signing-key \(path) is \(entry.role) (\(entry.path)): \(refusal); name a new file for the key")
      }
      let created = try SigningKey.create(at: path)
      print("\(path): new signing key, public key SHA-256 \(created.publicKey.fingerprint)")
      print("Give the regulator its public key: linkaudit keys public > signing-key.pub.pem")
    }

    /// A report replaces its package folder whole, and a reports folder holds
    /// nothing but packages: a key kept in either would be lost or handed over.
    /// A refusal of the path, not of the command line: exit 1 with its cause,
    /// no usage hint (red-team H12).
    static func checkPlace(_ path: String, database: String) throws {
      // Where else to keep it: beside the database, unless the database lies there too (red-team D11).
      func instead(_ folder: String) -> String {
        FileIdentity(parentPath(FileIdentity(database).canonical)).isWithin(folder)
          ? "the database lies there too, so its default place beside it is no place for the key: give --signing-key a path in a folder of its own, outside any reports or package folder, or move the database (with its .linkaudit.key) out of \(escapingControls(folder))"
          : "keep the key beside the database (the default) or in a folder of its own"
      }
      if let package = PackageFolder.packageHolding(path) {
        throw OutputPathError(
          message:
            "--signing-key \(path) lies in the report package \(package), which the next report replaces whole: \(instead(package))"
        )
      }
      if let place = OutputPlacement.packagesPlace(holding: path, database: database) {
        let reports = place.folder
        let relation = reports == parentPath(FileIdentity(path).canonical) ? "lies in" : "lies in a folder inside"
        // The folder above the key's own: the database does not lie there; what is there is what to move (red-team J4).
        let advice =
          place.isAbove
          ? place.found.map {
            OutputPlacement.moveOrKeepApart($0, reports, "give --signing-key a path in a folder of its own")
          } ?? instead(reports)
          : instead(reports)
        // What made it one, named (red-team F13).
        let found = (place.found ?? PackageFolder.packageFound(in: reports)).map {
          " (it holds \(escapingControls($0.path)), \($0.what))"
        }
        throw OutputPathError(
          message:
            "--signing-key \(escapingControls(path)) \(relation) \(escapingControls(reports)), where packages are written and handed over\(found ?? ""): \(OutputPlacement.besidePackages): \(advice)"
        )
      }
    }
  }

  struct Public: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the signing key's public key (PEM), for the regulator to hold.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var key: SigningKeyOptions

    func run() throws {
      let path = key.path(database: database).path
      guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("no signing key at \(path): make one with linkaudit keys new")
      }
      print(try SigningKey(path: path).publicKey.pem, terminator: "")
    }
  }
}
