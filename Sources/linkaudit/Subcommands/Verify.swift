import ArgumentParser

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a report package against its manifest and the database.")
  @OptionGroup var database: DatabaseOptions
  @Argument(help: "The report folder, e.g. reports/2021-Q4.") var directory: String

  func run() throws { throw NotYetAvailable(command: "verify") }
}
