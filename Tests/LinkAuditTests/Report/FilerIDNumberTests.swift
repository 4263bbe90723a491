import Foundation
import LinkAuditCore
import Testing

@testable import LinkAudit

/// Red-team F15: the contact's phone and email may be a mobile (declared), never an ID number.
extension FilerTests {
  @Test(arguments: [
    ("010-6552 0000", "110105199001011234", ":7: phone \"**************1234\" holds an ID number"),
    ("010-6552 0000", "110105 1990.01.01 1234", ":7: phone \"****** ****.**.** 1234\" holds an ID number"),
    (
      "compliance@example.com", "110105199001011234@qq.com",
      ":8: email \"**************1234@qq.com\" holds an ID number"
    ),
  ])
  func f15_anIDNumberInPhoneOrEmailIsRefusedWithItsLine(declared: String, given: String, message: String) throws {
    let path = try write(Self.valid.replacingOccurrences(of: declared, with: given))
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let error = #expect(throws: FileError.self) { try Filer.load(path: path) }
    #expect(error?.errorDescription?.contains(message) == true, "\(error?.errorDescription ?? "")")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    // A manifest's filer is held to the same rule by verify.
    var filer = try Filer.load(path: try write(Self.valid))
    if declared.contains("@") { filer.email = given } else { filer.phone = given }
    #expect(filer.problem?.contains("holds an ID number") == true, "\(filer.problem ?? "")")
  }

  /// A mobile in the email's name is the contact's declared address, as a mobile in phone is.
  @Test func aMobileInTheEmailIsTheDeclaredContact() throws {
    let filer = try Filer.load(
      path: try write(Self.valid.replacingOccurrences(of: "compliance@example.com", with: "13812345678@139.com")))
    #expect(filer.email == "13812345678@139.com")
  }
}
