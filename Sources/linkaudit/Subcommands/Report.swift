import ArgumentParser

struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the report package for a quarter.",
    discussion: """
      Writes reports/YYYY-Qn/: the regulator's workbook in Chinese and English, Markdown per \
      principle, metrics.csv and manifest.json. Running it twice on the same database writes \
      byte-identical files.
      """)
  @OptionGroup var database: DatabaseOptions
  @Option(help: "Quarter as YYYY-Qn, or 'latest' (the latest quarter with link events).") var quarter = "latest"
  @Option(help: "Output folder (default reports/YYYY-Qn).") var out: String?
  @Option(help: "Languages, comma-separated.") var lang = "zh,en"

  func run() throws { throw NotYetAvailable(command: "report") }
}
