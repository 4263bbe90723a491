import ArgumentParser
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the views and tables with the meaning of each column, or the metric catalogue.")
  @OptionGroup var database: DatabaseOptions
  @Flag(help: "Print the metric catalogue (id, name, definition) as Markdown instead.") var metrics = false
  @Flag(help: "With --metrics, in Chinese.") var zh = false

  func run() throws {
    if metrics {
      print(MetricCatalogue.markdown(english: !zh), terminator: "")
      return
    }
    let db = try database.openForReading()
    print(try SchemaGuide.text(for: db), terminator: "")
  }
}
