import Foundation

/// Why a link was restricted: a category of the data contract, or the
/// scene's own rule.
package enum EventReason: Sendable, Equatable {
  case sceneRule
  case category(Category)

  package init?(code: String) {
    if code == "scene_rule" {
      self = .sceneRule
    } else if let category = Category(rawValue: code) {
      self = .category(category)
    } else {
      return nil
    }
  }

  package var code: String {
    switch self {
    case .sceneRule: "scene_rule"
    case .category(let c): c.rawValue
    }
  }

  package var category: Category? {
    if case .category(let c) = self { c } else { nil }
  }

  /// Every reason, the scene's rule first.
  package static var allCases: [EventReason] { [.sceneRule] + Category.allCases.map { .category($0) } }
}
