import Foundation
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditStore
import LinkAuditWeb
import LinkAuditXlsx
import Testing

/// Seeded random mutation of valid inputs through every parser: the CSV, TSV
/// and JSON Lines readers (by importing), timestamps, URLs and policy front
/// matter. No input may crash or hang the process, and a file that fails
/// must leave nothing behind. `make test` runs a short, fixed-seed pass;
/// `make fuzz` runs it for FUZZ_SECONDS with fresh seeds and keeps any input
/// that crashed (written before each case to .build/fuzz/) or ran slowly.
@Suite struct FuzzTests {
  static let seconds = Double(ProcessInfo.processInfo.environment["LINKAUDIT_FUZZ_SECONDS"] ?? "") ?? 0
  static let seed = UInt64(ProcessInfo.processInfo.environment["LINKAUDIT_FUZZ_SEED"] ?? "") ?? 20_211_119
  static let keep = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/fuzz")

  struct Mutator {
    /// The demo generator's seeded generator: the same seed gives the same cases.
    var random: SplitMix64
    init(state: UInt64) { random = SplitMix64(state: state) }
    mutating func below(_ n: Int) -> Int { Int(random.next() % UInt64(max(n, 1))) }

    /// One to four edits: flip, insert or delete bytes, splice in a token that
    /// parsers care about, or duplicate a slice.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
      var b = input
      let tokens: [[UInt8]] = [
        Array("\"".utf8), Array(",".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("\t".utf8), [0], [0xFF],
        [0xE4, 0xBD],
        Array("{".utf8), Array("}".utf8), Array("---\n".utf8), Array("9999999999999".utf8), Array("-".utf8),
        Array(":".utf8), Array("xn--".utf8), Array("%".utf8), Array("T".utf8), Array("+99:99".utf8),
        Array("\\u0000".utf8), Array("[]".utf8), Array("&&".utf8),
      ]
      for _ in 0...below(4) {
        let at = below(b.count + 1)
        switch below(5) {
        case 0 where !b.isEmpty: b[min(at, b.count - 1)] ^= UInt8(1 << below(8))
        case 1: b.insert(UInt8(below(256)), at: at)
        case 2 where !b.isEmpty: b.removeSubrange(min(at, b.count - 1)..<min(at + below(8) + 1, b.count))
        case 3: b.insert(contentsOf: tokens[below(tokens.count)], at: at)
        default:
          if !b.isEmpty {
            let from = below(b.count)
            let slice = b[from..<min(from + below(64) + 1, b.count)]
            b.insert(contentsOf: slice, at: at)
          }
        }
      }
      return b
    }
  }

  /// Valid seeds, one per parser and per output rule of issue 12.
  static let seeds: [(name: String, kind: InputKind?, bytes: [UInt8])] =
    textSeeds.map { ($0.name, $0.kind, Array($0.text.utf8)) }
    + [("links.csv.gz", .links, gzipped(fixture("links-basic.csv")))]

  /// The bytes of `path` as gzip writes them (a truncated or damaged stream must be refused whole).
  static func gzipped(_ path: String) -> [UInt8] {
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-c", "-n", path]
    let pipe = Pipe()
    gzip.standardOutput = pipe
    try! gzip.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    gzip.waitUntilExit()
    return Array(data)
  }

  static let textSeeds: [(name: String, kind: InputKind?, text: String)] = [
    ("links.csv", .links, try! String(contentsOfFile: fixture("links-quoted-crlf.csv"), encoding: .utf8)),
    ("links.tsv", .links, try! String(contentsOfFile: fixture("links.tsv"), encoding: .utf8)),
    ("links.jsonl", .links, try! String(contentsOfFile: fixture("links.jsonl"), encoding: .utf8)),
    ("complaints.csv", .complaints, try! String(contentsOfFile: fixture("complaints-multiline.csv"), encoding: .utf8)),
    ("policy.md", .policies, try! String(contentsOfFile: fixture("policy-phase1.md"), encoding: .utf8)),
    ("platforms.csv", .platforms, try! String(contentsOfFile: fixture("platforms.csv"), encoding: .utf8)),
    ("timestamp", nil, "2021-09-17T08:15:02.123+08:00"),
    ("url", nil, "https://Item.TaoBao.com:443/a/b?x=1#frag"),
    ("url-userinfo", nil, "http://user:pw@evil.com\\@item.taobao.com./x"),
    ("rejects.jsonl", .links, try! String(contentsOfFile: fixture("links.jsonl"), encoding: .utf8)),
    (
      "mask", nil,
      "电话 +86 138-1234-5678，身份证 110105 19900101 123X，１３９１２３４５６７８，订单 2021091712345，139.1234.5678 138_1234_5678 ١٣٨١٢٣٤٥٦٧٨ 1 3 8 1 2 3 4 5 6 7 8 138–1234–5678"
    ),
    (
      "mask-c6", nil,
      "来电 138\u{034F}1234\u{034F}5678 138\u{FE0F}12345678 138\u{2009}1234\u{2009}5678 138\u{202F}1234\u{202F}5678 138\u{2028}1234\u{2028}5678 138,1234,5678 138，1234，5678 138·1234·5678 138:1234:5678 138~1234~5678 (138)1234-5678 一三八一二三四五六七八 壹叁捌壹贰叁肆伍陆柒捌 ①③⑧①②③④⑤⑥⑦⑧ ¹³⁸¹²³⁴⁵⁶⁷⁸ 1381 2345 678 138  --  1234  --  5678 1101 0519 9001 0112 34 10:30 1,380,000 1~3"
    ),
    ("markdown", nil, "a|b\\|c <x> *y*\n`z` [l](u) &amp;"),
    ("cell", nil, "text\u{1}\u{FFFE}\u{FFFF}\r\nmore"),
  ]

  /// Runs one input: imports fail cleanly or succeed; a failed import changes no count.
  static func run(_ name: String, _ kind: InputKind?, _ bytes: [UInt8], store: TestStore, db: Database) throws {
    let text = String(decoding: bytes, as: UTF8.self)
    switch name {
    case "timestamp": _ = TimestampParser(timeZone: TimeZone(identifier: "Asia/Shanghai")!).parse(text)
    case "url", "url-userinfo":
      // The host is what a browser opens: never userinfo, never a backslash.
      if let url = try? URLNormaliser().normalise(text) {
        #expect(!url.host.contains("@") && !url.host.contains("\\"), "\(text)")
        if url.hadUserinfo { #expect(url.shared.contains("***@")) }
      }
    case "mask", "mask-c6":
      let masked = PersonalNumberMask.mask(text)
      #expect(PersonalNumberMask.mask(masked) == masked, "masking is stable: \(text)")
      #expect(masked.unicodeScalars.count == text.unicodeScalars.count)
    case "markdown":
      // No line break, and every | escaped: a value cannot break a table.
      let escaped = markdownText(text)
      #expect(!escaped.contains("\n"))
      var scalars = escaped.unicodeScalars.makeIterator()
      while let c = scalars.next() {
        if c == "\\" { _ = scalars.next() } else { #expect(c != "|", "\(text)") }
      }
    case "cell":
      let cell = Workbook.cellText(text)
      #expect(cell.unicodeScalars.count <= Workbook.maxCellCharacters)
      #expect(!cell.unicodeScalars.contains { isControlOrNoncharacter($0) && $0 != "\t" && $0 != "\n" && $0 != "\r" })
    case "rejects.jsonl":
      // With a reject file, every rejected line is written as valid JSON.
      let path = store.dir.file("case-\(name)")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let rejects = store.dir.file("case-rejects.rejected.jsonl")
      try? FileManager.default.removeItem(atPath: rejects)
      if (try? store.importer(db, rejectFile: rejects).importFile(path, kind: .links)) != nil,
        let written = FileManager.default.contents(atPath: rejects)
      {
        for line in written.split(separator: UInt8(ascii: "\n")) {
          #expect(
            (try? JSONSerialization.jsonObject(with: Data(line))) != nil, "\(String(decoding: line, as: UTF8.self))")
        }
      }
    default:
      let path = store.dir.file("case-\(name)")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let before = try counts(db)
      do {
        _ = try store.importer(db).importFile(path, kind: kind!)
      } catch is SQLiteError {
        Issue.record("a SQLite error escaped validation for \(name): \(text.prefix(200))")
      } catch {
        let after = try counts(db)
        #expect(after == before, "a failed \(name) left rows behind")
      }
    }
  }

  static func counts(_ db: Database) throws -> [Int64] {
    try ["batch", "link_event", "complaint_state", "policy_version", "platform", "rejected_row", "host"].map {
      try db.scalar("SELECT count(*) FROM \($0)").integer ?? -1
    }
  }

  @Test func mutatedInputsNeverCrashHangOrLeaveRowsBehind() throws {
    let store = TestStore()
    let db = try store.open()
    defer { db.close() }
    var mutator = Mutator(state: Self.seconds > 0 ? UInt64(Date().timeIntervalSince1970 * 1000) : Self.seed)
    let started = Date()
    try FileManager.default.createDirectory(at: Self.keep, withIntermediateDirectories: true)
    var cases = 0
    repeat {
      for seed in Self.seeds {
        let input = mutator.mutate(seed.bytes)
        // Kept before running, so a crash leaves the input that caused it.
        let last = Self.keep.appendingPathComponent("last-input-\(seed.name)")
        if Self.seconds > 0 { try Data(input).write(to: last) }
        let began = Date()
        try Self.run(seed.name, seed.kind, input, store: store, db: db)
        let took = Date().timeIntervalSince(began)
        if took > 2 {
          try Data(input).write(to: Self.keep.appendingPathComponent("slow-\(cases)-\(seed.name)"))
          Issue.record("\(seed.name) took \(took) s on a \(input.count)-byte input (kept in .build/fuzz)")
        }
        cases += 1
      }
    } while (Self.seconds == 0 && cases < 400) || (Self.seconds > 0 && Date().timeIntervalSince(started) < Self.seconds)
    #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
  }

  /// Inputs kept from earlier fuzzing, run on every build.
  @Test func theRegressionCorpusStillPasses() throws {
    let folder = fixture("fuzz")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
    #expect(!names.isEmpty)
    let store = TestStore()
    let db = try store.open()
    defer { db.close() }
    for name in names {
      let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
      let seed = try #require(Self.seeds.first { name.hasSuffix($0.name) }, "\(name) names no seed")
      try Self.run(seed.name, seed.kind, bytes, store: store, db: db)
    }
  }
}
