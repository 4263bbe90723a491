import ArgumentParser

struct Query: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run one read-only SQL statement and print or export the answer.",
    discussion: "The connection is read-only: a write, ATTACH or a second statement is refused and changes nothing.")
  @OptionGroup var database: DatabaseOptions
  @Argument(help: "The SQL statement.") var sql: String?
  @Option(help: "table, csv, json, markdown or xlsx.") var format: String?
  @Option(help: "Output file (required for xlsx).") var out: String?

  func run() throws { throw NotYetAvailable(command: "query") }
}
