import ArgumentParser
import LinkAudit

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the database's tables and views and its schema version.")
  @OptionGroup var database: DatabaseOptions
  @Flag(help: "Print the metric catalogue (id, name, definition) as Markdown instead.") var metrics = false
  @Flag(help: "With --metrics, in Chinese.") var zh = false

  func run() throws {
    if metrics {
      print(MetricCatalogue.markdown(english: !zh), terminator: "")
      return
    }
    let db = try database.open(.readOnly)
    print("schema version \(try db.userVersion) (this linkaudit: \(Migrations.latestVersion))")
    for row in try db.rows(
      "SELECT type, name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ) {
      print("\(row[0].text ?? "") \(row[1].text ?? "")")
    }
  }
}
