import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

@testable import LinkAudit

/// The filer's details the Cover names (`filer.yaml`): every rule refuses
/// with the file, the line and the value.
@Suite struct FilerTests {
  let dir = TemporaryDirectory()

  static let valid = """
    # Who files: printed on the Cover of every filing.
    entity: 示例网络科技有限公司
    entity_en: Example Networks Co., Ltd.
    credit_code: 91350100M000100Y43
    responsible_person: 张三
    contact: 李四
    phone: 010-6552 0000
    email: compliance@example.com

    """

  func write(_ text: String) throws -> String {
    let path = dir.file("filer.yaml")
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  @Test func aFilerFileIsRead() throws {
    let filer = try Filer.load(path: try write(Self.valid))
    #expect(filer.entity == "示例网络科技有限公司")
    #expect(filer.entityName(in: .en) == "Example Networks Co., Ltd.")
    #expect(filer.entityName(in: .zh) == "示例网络科技有限公司")
    #expect(filer.creditCode == "91350100M000100Y43")
    #expect(filer.phone == "010-6552 0000")
    #expect(filer.reporterPseudonyms == false, "the filed copy carries no pseudonym unless asked")
  }

  /// E10: the filer is its values: a comment or a reordering reads as the same filer.
  @Test func aCommentChangesNothingOfTheFiler() throws {
    let filer = try Filer.load(path: try write(Self.valid))
    let commented = try Filer.load(path: try write("# reviewed 2022-01-10\n" + Self.valid + "# end\n"))
    #expect(commented == filer)
    let encoded = try String(decoding: JSONEncoder().encode(filer), as: UTF8.self)
    #expect(!encoded.contains("sha256"), "the manifest records the values, not the file's hash: \(encoded)")
  }

  /// The check character of GB 32100-2015, on codes computed by hand.
  @Test func aCreditCodeIsCheckedByItsCheckCharacter() {
    #expect(Filer.creditCodeProblem("91350100M000100Y43") == nil)
    #expect(Filer.creditCodeProblem("91110000100000000R") == nil)
    #expect(Filer.creditCodeProblem("91350100M000100Y44")?.contains("the first 17 give 3") == true)
    #expect(Filer.creditCodeProblem("91350100M00010OY43")?.contains("character 15 (O)") == true)
    #expect(Filer.creditCodeProblem("9135010")?.contains("has 7 characters") == true)
  }

  @Test(arguments: [
    ("entity: A\nentiti: B\n", "filer.yaml:2: unknown key \"entiti\""),
    (valid.replacingOccurrences(of: "entity: 示例网络科技有限公司\n", with: ""), "entity is missing"),
    (valid.replacingOccurrences(of: "M000100Y43", with: "M000100Y44"), ":4: credit_code \"91350100M000100Y44\""),
    (
      valid.replacingOccurrences(of: "张三", with: "=HYPERLINK(1)"),
      ":5: responsible_person \"=HYPERLINK(1)\" starts with ="
    ),
    (valid.replacingOccurrences(of: "李四", with: "李\u{202E}四"), ":6: contact is refused: bidirectional"),
    // E10: the rule --reason obeys: a line separator breaks the Cover's line as a control does.
    // YAML reads a bare U+2028 as a line break; an escape in a quoted value gives the character itself.
    (
      valid.replacingOccurrences(of: "entity: 示例网络科技有限公司", with: "entity: \"示例\\u2028公司\""),
      ":2: entity is refused: control characters or line separators are not allowed (found U+2028)"
    ),
    (
      valid.replacingOccurrences(of: "contact: 李四", with: "contact: \"李\\u2029四\""),
      ":6: contact is refused: control characters or line separators are not allowed (found U+2029)"
    ),
    // E5: a personal number outside phone and email is a mistake: refused with its line, the number masked.
    (
      valid.replacingOccurrences(of: "张三", with: "王示例 身份证 110105199001011234"),
      ":5: responsible_person \"王示例 身份证 **************1234\" holds an ID or mobile number"
    ),
    (
      valid.replacingOccurrences(of: "李四", with: "李示例 13812345678"),
      ":6: contact \"李示例 138****5678\" holds an ID or mobile number"
    ),
    (
      valid.replacingOccurrences(of: "Example Networks Co., Ltd.", with: "Example 110105 19900101 123X"),
      ":3: entity_en \"Example ****** ******** 123X\" holds an ID or mobile number"
    ),
    (valid + "reporter_pseudonyms: maybe\n", "reporter_pseudonyms \"maybe\": true or false"),
    (valid + "entity: again\n", ":9: entity is given twice"),
    ("- a list\n", "must be a mapping"),
  ])
  func aBadFilerFileIsRefusedNamingLineAndValue(text: String, message: String) throws {
    let path = try write(text)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let error = #expect(throws: FileError.self) { try Filer.load(path: path) }
    #expect(error?.errorDescription?.contains(message) == true, "\(error?.errorDescription ?? "")")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
  }

  /// A pipe would hang the read: refused unread.
  @Test func aPipeOrAFolderIsRefusedUnread() throws {
    let fifo = dir.file("fifo.yaml")
    #expect(mkfifo(fifo, 0o600) == 0)
    let pipe = #expect(throws: FileError.self) { try Filer.load(path: fifo) }
    #expect(pipe?.errorDescription?.contains("is not a regular file (a pipe, a socket or a device): not read") == true)
    let folder = #expect(throws: FileError.self) { try Filer.load(path: dir.path) }
    #expect(folder?.errorDescription?.contains("is a folder") == true)
  }

  /// E5: the contact's phone is declared, and filed as given, a mobile number too.
  @Test func aMobileNumberInPhoneIsTheDeclaredContact() throws {
    let filer = try Filer.load(
      path: try write(Self.valid.replacingOccurrences(of: "010-6552 0000", with: "13812345678")))
    #expect(filer.phone == "13812345678")
  }

  /// E6: a huge file is refused by its size, unread: the limit checked before the read.
  @Test func aHugeFilerFileIsRefusedUnread() throws {
    let path = dir.file("big.yaml")
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: 4 << 30)
    try handle.close()
    let started = Date()
    let error = #expect(throws: FileError.self) { try Filer.load(path: path) }
    #expect(
      error?.errorDescription?.contains("is 4,294,967,296 bytes: a filer.yaml holds a few lines") == true,
      "\(error?.errorDescription ?? "")")
    // Reading 4 GiB of zeros would take seconds and the memory; a stat takes none.
    #expect(Date().timeIntervalSince(started) < 1)
    #expect(SmallFile.read(path, limit: 64 * 1024) == .failure(.tooLarge(4 << 30)))
  }

  @Test func reporterPseudonymsAreFiledOnlyWhenAskedFor() throws {
    #expect(try Filer.load(path: try write(Self.valid + "reporter_pseudonyms: true\n")).reporterPseudonyms)
  }
}

/// The filer on the Cover, in the manifest and through verify, as a user runs it.
@Suite struct FilerPackageTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("f.db") }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    let key = ["import"].contains(arguments.first) ? ["--key-file", dir.file("f.key")] : []
    return try LinkauditBinary.run(arguments + key, database: database)
  }

  /// A quarter with a complaint (reporter r1) and five opens, imported; with
  /// `rejectedRow`, a second complaint row rejected (no such category), which
  /// the Data quality sheet lists.
  func imported(rejectedRow: Bool = false) throws {
    let links = try PackageFixture.links("links.csv", PackageFixture.quarterRows, in: dir)
    let complaints = try dir.write(
      "complaints.csv",
      """
      complaint_id,received_at,reporter_id,url,category,description,status
      c1,2021-10-02 11:00:00,r1,https://item.taobao.com/1,spam,ads,open

      """ + (rejectedRow ? "c2,2021-10-03 11:00:00,r2,https://item.taobao.com/2,nonsense,x,open\n" : ""))
    #expect(try run(["import", "links", links]).status == 0)
    var arguments = ["import", "complaints", complaints]
    if rejectedRow {
      let rejects = dir.file("rej")
      try FileManager.default.createDirectory(atPath: rejects, withIntermediateDirectories: true)
      arguments += ["--reject-file", rejects]
    }
    #expect(try run(arguments).status == 0)
  }

  func report(_ extra: [String] = []) throws -> (LinkauditBinary.Run, String) {
    let out = dir.file("pkg")
    let r = try run(["report", "--quarter", "2021-Q4", "--out", out] + extra)
    return (r, out)
  }

  @Test func theCoverNamesTheFilerAndTheManifestRecordsThem() throws {
    try imported()
    // Beside the database: found without --filer.
    try FilerTests.valid.write(toFile: dir.file("filer.yaml"), atomically: false, encoding: .utf8)
    let (r, out) = try report()
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stderr.contains("no filer.yaml"))
    let zh = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.zh.xlsx")["封面"])
    let values = Set(zh.values)
    for text in [
      "报送单位", "示例网络科技有限公司", "统一社会信用代码", "91350100M000100Y43", "负责人", "张三", "联系人", "李四",
      "联系电话", "010-6552 0000", "声明", "负责人签字：", "单位盖章：", "日期：",
    ] {
      #expect(values.contains(text), "\(text) is not on the Cover")
    }
    #expect(values.contains { $0.hasPrefix("本单位承诺，本报告所载数据和情况真实、准确、完整") })
    let en = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.en.xlsx")["Cover"])
    #expect(Set(en.values).contains("Example Networks Co., Ltd."))
    // No reporter pseudonym in the filed copy unless filer.yaml asks for it.
    let complaints = try #require(try XlsxReading.cells(out + "/annex.zh.xlsx")["投诉明细"])
    #expect(!Set(complaints.values).contains("投诉人（去标识化）"))
    // Nor in the register's CSV.
    let csv = try String(contentsOfFile: out + "/complaints.csv", encoding: .utf8)
    #expect(csv.hasPrefix("complaint_id,received_at,") && !csv.contains("reporter"))
    let manifest = try String(contentsOfFile: out + "/manifest.json", encoding: .utf8)
    #expect(manifest.contains("\"credit_code\" : \"91350100M000100Y43\""))
    // verify writes the package again with the manifest's filer: the same bytes.
    let verified = try run(["verify", out])
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
  }

  @Test func reporterPseudonymsAreFiledWhenFilerYamlAsks() throws {
    try imported()
    let filer = dir.file("elsewhere.yaml")
    try (FilerTests.valid + "reporter_pseudonyms: true\n").write(toFile: filer, atomically: false, encoding: .utf8)
    let (r, out) = try report(["--filer", filer, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let complaints = try #require(try XlsxReading.cells(out + "/annex.en.xlsx")["Complaints"])
    #expect(Set(complaints.values).contains("Reporter (pseudonym)"))
    let csv = try String(contentsOfFile: out + "/complaints.csv", encoding: .utf8)
    #expect(csv.hasPrefix("complaint_id,reporter_pseudonym,received_at,"))
  }

  @Test func withoutAFilerTheCoverSaysSo() throws {
    try imported()
    let (r, out) = try report(["--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("report: no filer.yaml beside the database: the Cover says the filer is not given"))
    let cover = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.en.xlsx")["Cover"])
    #expect(Set(cover.values).contains("not given: no filer.yaml beside the database (report --filer FILE)"))
    #expect(try !String(contentsOfFile: out + "/manifest.json", encoding: .utf8).contains("\"filer\""))
  }

  /// A bad filer.yaml refuses the report before anything is written or filed.
  @Test func aBadFilerRefusesTheReportAndFilesNothing() throws {
    try imported()
    let filer = dir.file("filer.yaml")
    try FilerTests.valid.replacingOccurrences(of: "M000100Y43", with: "M000100Y44").write(
      toFile: filer, atomically: false, encoding: .utf8)
    let before = try Data(contentsOf: URL(fileURLWithPath: filer))
    let (r, out) = try report()
    #expect(r.status != 0)
    #expect(
      r.stderr.contains("filer.yaml:4: credit_code \"91350100M000100Y44\": its check character is 4"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(try run(["filings"]).stdout.split(separator: "\n").count == 1, "only the header: nothing filed")
    #expect(try Data(contentsOf: URL(fileURLWithPath: filer)) == before)
  }

  /// A manifest is untrusted: a filer no filer.yaml could give is named, never written onto a Cover again.
  @Test func verifyNamesAManifestsFilerNoFileCouldGive() throws {
    try imported()
    try FilerTests.valid.write(toFile: dir.file("filer.yaml"), atomically: false, encoding: .utf8)
    let (r, out) = try report(["--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let path = out + "/manifest.json"
    let manifest = try String(contentsOfFile: path, encoding: .utf8)
    try manifest.replacingOccurrences(of: "\"responsible_person\" : \"张三\"", with: "\"responsible_person\" : \"=1+1\"")
      .write(toFile: path, atomically: false, encoding: .utf8)
    let verified = try run(["verify", out])
    #expect(verified.status != 0)
    #expect(
      (verified.stdout + verified.stderr).contains("filer: the manifest's responsible_person \"=1+1\" starts with ="))
  }
}
