/// The enumerations of the data contract. Raw values are the contract's codes.

/// The four principles of the External Link Content Management Standards.
public enum Principle: Int, CaseIterable, Sendable, Codable {
  case lawfulContent = 1
  case privacyAndSecurity = 2
  case usersInterests = 3
  case userChoice = 4

  /// The short English name (the `principle` table's `name_en`).
  public var name: String {
    switch self {
    case .lawfulContent: "Lawful content"
    case .privacyAndSecurity: "Privacy and security"
    case .usersInterests: "Users' interests"
    case .userChoice: "User choice and interconnection"
    }
  }

  public var english: String {
    switch self {
    case .lawfulContent: "Lawful content: no behaviour that violates national laws and regulations"
    case .privacyAndSecurity:
      "Privacy and security: no excessive acquisition of user privacy, no harm to network, information or data security"
    case .usersInterests:
      "Users' interests: no excessive marketing, induced sharing or other behaviour that harms users"
    case .userChoice: "User first: more choice for users, links open across platforms (interconnection)"
    }
  }

  public var chinese: String {
    switch self {
    case .lawfulContent: "防止违反国家法律法规"
    case .privacyAndSecurity: "防止过度获取用户隐私、危害网络信息安全与数据安全"
    case .usersInterests: "防止过度营销、诱导分享等有损用户利益的行为"
    case .userChoice: "坚持用户为本，将更多选择权交给用户"
    }
  }
}

public enum Category: String, CaseIterable, Sendable {
  case pornography, gambling, fraud
  case illegalGoods = "illegal_goods"
  case rumor
  case violentExtremism = "violent_extremism"
  case otherIllegal = "other_illegal"
  case privacyOvercollection = "privacy_overcollection"
  case phishing, malware
  case dataLeak = "data_leak"
  case inducedSharing = "induced_sharing"
  case inducedFollowing = "induced_following"
  case excessiveMarketing = "excessive_marketing"
  case spam
  case wronglyRestricted = "wrongly_restricted"

  public var principle: Principle {
    switch self {
    case .pornography, .gambling, .fraud, .illegalGoods, .rumor, .violentExtremism, .otherIllegal: .lawfulContent
    case .privacyOvercollection, .phishing, .malware, .dataLeak: .privacyAndSecurity
    case .inducedSharing, .inducedFollowing, .excessiveMarketing, .spam: .usersInterests
    case .wronglyRestricted: .userChoice
    }
  }

  public var chinese: String {
    switch self {
    case .pornography: "色情低俗"
    case .gambling: "赌博"
    case .fraud: "欺诈"
    case .illegalGoods: "违禁品"
    case .rumor: "谣言"
    case .violentExtremism: "暴恐"
    case .otherIllegal: "其他违法违规"
    case .privacyOvercollection: "过度收集个人信息"
    case .phishing: "钓鱼"
    case .malware: "恶意程序"
    case .dataLeak: "数据泄露"
    case .inducedSharing: "诱导分享"
    case .inducedFollowing: "诱导关注"
    case .excessiveMarketing: "过度营销"
    case .spam: "垃圾信息"
    case .wronglyRestricted: "误拦截（合法链接被限制）"
    }
  }

  public var english: String {
    switch self {
    case .pornography: "Pornography"
    case .gambling: "Gambling"
    case .fraud: "Fraud"
    case .illegalGoods: "Illegal goods"
    case .rumor: "Rumour"
    case .violentExtremism: "Violent extremism"
    case .otherIllegal: "Other illegal content"
    case .privacyOvercollection: "Over-collection of personal information"
    case .phishing: "Phishing"
    case .malware: "Malware"
    case .dataLeak: "Data leak"
    case .inducedSharing: "Induced sharing"
    case .inducedFollowing: "Induced following"
    case .excessiveMarketing: "Excessive marketing"
    case .spam: "Spam"
    case .wronglyRestricted: "Wrongly restricted (a lawful link restricted)"
    }
  }
}

public enum Scene: String, CaseIterable, Sendable {
  case oneToOneChat = "one_to_one_chat"
  case groupChat = "group_chat"
  case moments
  case officialAccount = "official_account"
  case miniProgram = "mini_program"
  case channels, search, other

  public var chinese: String {
    switch self {
    case .oneToOneChat: "一对一聊天"
    case .groupChat: "群聊"
    case .moments: "朋友圈"
    case .officialAccount: "公众号"
    case .miniProgram: "小程序"
    case .channels: "视频号"
    case .search: "搜一搜"
    case .other: "其他"
    }
  }

  public var english: String {
    switch self {
    case .oneToOneChat: "One-to-one chat"
    case .groupChat: "Group chat"
    case .moments: "Moments"
    case .officialAccount: "Official account"
    case .miniProgram: "Mini program"
    case .channels: "Channels"
    case .search: "Search"
    case .other: "Other"
    }
  }
}

public enum LinkAction: String, CaseIterable, Sendable {
  case open
  case warnProceed = "warn_proceed"
  case warnBack = "warn_back"
  case block
}

public enum DetectedBy: String, CaseIterable, Sendable {
  case automated
  case userReport = "user_report"
  case manualReview = "manual_review"
}

public enum Channel: String, CaseIterable, Sendable {
  case inChat = "in_chat"
  case webPortal = "web_portal"
  case hotline
  case regulatorReferral = "regulator_referral"
}

public enum ComplaintStatus: String, CaseIterable, Sendable {
  case open, resolved
}

public enum Outcome: String, CaseIterable, Sendable {
  case upheld
  case notUpheld = "not_upheld"
  case duplicate
}

public enum ActionTaken: String, CaseIterable, Sendable {
  case warnURL = "warn_url"
  case blockURL = "block_url"
  case blockDomain = "block_domain"
  case suspendSharer = "suspend_sharer"
  case restore, none
}

/// What a policy prescribes for a link.
public enum Treatment: String, CaseIterable, Sendable {
  case open, warn, block
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
  /// "one of a, b, c", for error messages.
  package static var expectation: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The batch the built-in platform registry is stored under: its `file_name`,
/// which the reports name in their reader's language.
public enum BuiltInPlatformRegistry {
  public static let fileName = "(built-in platform registry)"
}
