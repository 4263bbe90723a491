import Foundation
import LinkAuditCore
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
    #expect(filer.sha256.count == 64)
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
    (valid.replacingOccurrences(of: "李四", with: "李\u{202E}四"), ":6: contact holds U+202E"),
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

  @Test func reporterPseudonymsAreFiledOnlyWhenAskedFor() throws {
    #expect(try Filer.load(path: try write(Self.valid + "reporter_pseudonyms: true\n")).reporterPseudonyms)
  }
}
