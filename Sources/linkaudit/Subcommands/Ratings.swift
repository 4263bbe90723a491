import ArgumentParser

struct Ratings: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the platform credit ratings (外链平台信用分级) for a quarter.")
  @OptionGroup var database: DatabaseOptions
  @Option(help: "Quarter as YYYY-Qn, or 'latest'.") var quarter = "latest"

  func run() throws { throw NotYetAvailable(command: "ratings") }
}
