import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditWeb

/// SplitMix64: small, fast and the same on every machine, so a seed always gives the same inbox.
package struct SplitMix64: RandomNumberGenerator {
  package init(state: UInt64) {
    self.state = state
  }

  package var state: UInt64
  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  package mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
  package mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

/// Appends text to a file through a large buffer.
package final class BufferedWriter {
  private let handle: FileHandle
  private var buffer: [UInt8] = []

  package init(path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
      throw FileError(file: path, message: "cannot create file")
    }
    handle = h
    buffer.reserveCapacity(1 << 20)
  }

  package func write(_ text: String) throws {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 20 { try flush() }
  }

  package func flush() throws {
    try handle.write(contentsOf: buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  package func close() throws {
    try flush()
    try handle.close()
  }
}

/// Writes a realistic synthetic inbox: the default registry, three policy
/// versions (a baseline, the phase-1 change of 17 September 2021, the November
/// interconnection), link logs per quarter from July 2021 to March 2022, and
/// complaints in two files (first states, then later states).
///
/// Shaped like a messaging platform's log, not like what is easy to import:
/// users are drawn from a long tail (a few tap links all day, most a few times
/// a quarter), so a quarter's distinct users are about a third of its events;
/// almost every URL is distinct (a few popular pages are shared many times,
/// and complaints are about those); and beside the registered platforms'
/// hosts there is a long tail of thousands of small domains. One platform
/// deteriorates for good from 2021-Q4 (`deterioratingHost`): what a rating
/// must catch.
public struct DemoGenerator {
  public let events: Int
  public let seed: UInt64
  /// How many users the taps are drawn from (`defaultUsers` when nil).
  public let users: Int

  public init(events: Int, seed: UInt64, users: Int? = nil) {
    self.events = events
    self.seed = seed
    self.users = users ?? Self.defaultUsers(events: events)
  }

  /// A sixth of the events: drawn with `userIndex`, a quarter's distinct
  /// users then come to about a third of its events (simulated: 0.35).
  public static func defaultUsers(events: Int) -> Int { max(100, events / 6) }

  /// A user's number: `users · r³` for r uniform in [0, 1), a long tail in
  /// which low numbers tap often and most numbers rarely.
  package static func userIndex(_ random: UInt64, users: Int) -> Int {
    let r = Double(random >> 11) / Double(1 << 53)
    return min(users - 1, Int(Double(users) * r * r * r))
  }

  /// Share of taps on the small domains of the long tail, and how many there are.
  package static let tailShare = 0.12
  package static let tailDomains = 3_000
  /// Share of taps on a host's popular pages (`pagesPerHost` of them); the
  /// rest open a page of their own.
  package static let popularShare = 0.08

  private static let syllables = [
    "shop", "mall", "deal", "buy", "go", "fun", "news", "tech", "life", "home", "food", "game", "app", "vip", "hui",
    "tao", "mai", "kan", "wan", "le",
  ]
  private static let tails = ["cn", "com", "com.cn", "net", "top", "xyz", "shop", "vip"]

  /// The long tail's host number `k`: `www.` or `m.` in front of a domain of its own.
  package static func tailHost(_ k: Int) -> String {
    let name = syllables[k % syllables.count] + syllables[(k / syllables.count) % syllables.count] + "\(k)"
    return (k % 3 == 0 ? "m." : "www.") + name + "." + tails[(k / 7) % tails.count]
  }

  package static let quarters: [(name: String, start: String)] = [
    ("2021Q3", "2021-07-01"), ("2021Q4", "2021-10-01"), ("2022Q1", "2022-01-01"), ("end", "2022-04-01"),
  ]
  package static let phase1 = Timestamp(milliseconds: 1_631_808_000_000)  // 2021-09-17T00:00+08:00
  package static let interconnect = Timestamp(milliseconds: 1_637_251_200_000)  // 2021-11-19T00:00+08:00

  /// Hosts with weights; unknown and internationalised domains included on purpose.
  package static let hosts: [(String, Int)] = [
    ("item.taobao.com", 18), ("m.tb.cn", 6), ("detail.tmall.com", 8), ("item.jd.com", 9), ("mobile.yangkeduo.com", 8),
    ("v.douyin.com", 14), ("www.kuaishou.com", 6), ("b23.tv", 5), ("weibo.com", 4), ("www.zhihu.com", 4),
    ("www.xiaohongshu.com", 6), ("xhslink.com", 2), ("www.baidu.com", 3), ("i.meituan.com", 2), ("news.163.com", 1),
    ("www.iqiyi.com", 1), ("m.youku.com", 1), ("qr.alipay.com", 1), ("www.toutiao.com", 1),
    ("shop.example.com.cn", 2), ("promo.lucky-draw.cn", 1), ("download.fastapp.top", 1), ("例子.中国", 1),
    ("xn--fsqu00a.xn--fiqs8s", 1), ("购物.公司", 1),
  ]

  /// Share of a host's taps that hit content in a problem category: the big
  /// platforms are mostly clean, the unknown domains are not. It drives the
  /// complaints too, so the platform ratings come out mixed.
  package static func risk(_ host: String) -> Double {
    knownRisk[host] ?? (namedHosts.contains(host) ? 0.08 : tailRisk)
  }

  /// The injected lasting deterioration: from `deteriorationStart` on, the
  /// platform behind this host shares ten times as much problem content, and
  /// draws the complaints that follow, upheld as often as the unknown domains'
  /// are. A rating must catch it within two quarters.
  package static let deterioratingHost = "b23.tv"
  package static let deteriorationStart = Timestamp(milliseconds: 1_633_017_600_000)  // 2021-10-01T00:00+08:00

  /// A host's risk at a time: `risk`, but ten times it on the deteriorating host from its start.
  package static func risk(_ host: String, at t: Timestamp) -> Double {
    host == deterioratingHost && t >= deteriorationStart ? 10 * risk(host) : risk(host)
  }

  private static let knownRisk: [String: Double] = [
    "item.taobao.com": 0.002, "m.tb.cn": 0.004, "detail.tmall.com": 0.001, "item.jd.com": 0.0015,
    "mobile.yangkeduo.com": 0.006, "v.douyin.com": 0.004, "www.kuaishou.com": 0.008, "b23.tv": 0.002,
    "weibo.com": 0.01, "www.zhihu.com": 0.003, "www.xiaohongshu.com": 0.005, "xhslink.com": 0.01,
    "www.baidu.com": 0.004, "i.meituan.com": 0.002, "news.163.com": 0.003, "www.iqiyi.com": 0.002,
    "m.youku.com": 0.003, "qr.alipay.com": 0.001, "www.toutiao.com": 0.012,
  ]
  private static let namedHosts = Set(hosts.map(\.0))
  /// The long tail's small domains: many are shops and promotions, a few worse.
  package static let tailRisk = 0.03

  /// A host's popular pages: shared many times, and what complaints are about.
  package static let pagesPerHost: UInt64 = 2_000

  package static let descriptions: [Category: [String]] = [
    .pornography: ["链接内容低俗，含色情图片", "打开后是不良内容"],
    .gambling: ["网页是网络赌博平台，诱导充值", "疑似博彩网站"],
    .fraud: ["声称中奖需先交保证金，对方电话 13812345678", "冒充客服骗取退款，要求转账"],
    .illegalGoods: ["售卖违禁药品", "链接在卖管制物品"],
    .rumor: ["传播不实消息，造成恐慌", "文章内容是谣言"],
    .violentExtremism: ["含暴恐视频", "宣扬极端思想"],
    .otherIllegal: ["售卖个人信息数据", "其他违法内容"],
    .privacyOvercollection: ["打开后要求授权通讯录和位置", "要求填写身份证号 110105199001011234 才能查看"],
    .phishing: ["仿冒银行登录页面", "钓鱼网站，骗取账号密码"],
    .malware: ["下载的应用含木马", "自动下载不明安装包"],
    .dataLeak: ["页面公开了用户订单信息", "泄露他人手机号 15900001111"],
    .inducedSharing: ["要求分享到三个群才能领红包", "集赞才能参加活动，诱导转发"],
    .inducedFollowing: ["必须关注公众号才能看全文", "诱导关注领取奖品"],
    .excessiveMarketing: ["每天推送大量广告", "营销信息太多"],
    .spam: ["群里反复发这个链接", "垃圾广告刷屏"],
    .wronglyRestricted: ["正常的商品链接被拦截了，请恢复", "我的店铺页面打不开，显示风险提示，但内容合法"],
  ]

  /// A fictitious filer: the credit code's check character is right, the register holds no such code.
  static let filer = """
    # Who files: the Cover of every filing names them (linkaudit report --filer FILE).
    entity: 示例网络科技有限公司（演示数据）
    entity_en: Example Networks Co., Ltd. (demo data)
    credit_code: 91110108DEM000001W
    responsible_person: 王示例
    contact: 合规部 李示例
    phone: 010-5555 0100
    email: compliance@example.com
    # reporter_pseudonyms: true files each complaint's reporter pseudonym; by default the filing has none.

    """

  /// Files that mark a folder as kept and hold no data: a folder holding only these is empty to the demo.
  static let placeholders: Set<String> = [".gitkeep", ".DS_Store"]

  /// The demo writes only into a new or empty folder, never through a link
  /// (red-team G2): an existing inbox's platforms.csv, the filer.yaml beside
  /// a database or a filed package would otherwise be replaced without a word.
  static func checkNewOrEmpty(_ directory: String) throws {
    var info = stat()
    for name in placeholders where lstat((directory as NSString).appendingPathComponent(name), &info) == 0 {
      // Only as a regular file: a link or a folder under the name is someone's.
      guard info.st_mode & S_IFMT == S_IFREG else {
        throw DemoError(
          message:
            "\(escapingControls(directory)) is not empty (it holds \(name), not a regular file): the demo writes only into a new or empty folder; name a new folder"
        )
      }
    }
    let fm = FileManager.default
    guard let type = (try? fm.attributesOfItem(atPath: directory))?[.type] as? FileAttributeType else { return }
    let shown = escapingControls(directory)
    guard type == .typeDirectory else {
      throw DemoError(
        message:
          "\(shown) is there and is no folder (\(type == .typeSymbolicLink ? "a link" : "a file")): the demo writes a new inbox folder; name a new one"
      )
    }
    // A folder kept by git's `.gitkeep` or marked by Finder's `.DS_Store` alone is empty: they hold no
    // data, the demo writes neither, and `make report` (scripts/report.sh) asks for the demo by the same
    // rule (red-team H12). Any other entry, hidden ones included (a key), is someone's.
    let entries = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { !Self.placeholders.contains($0) }
    guard entries.isEmpty else {
      let held = entries.sorted().prefix(3).map { escapingControls($0) }.joined(separator: ", ")
      throw DemoError(
        message:
          "\(shown) is not empty (it holds \(held)\(entries.count > 3 ? ", …" : "")): the demo writes only into a new or empty folder, never over an inbox, a filer.yaml or a package; name a new folder"
      )
    }
  }

  public func write(to directory: String) throws -> [String] {
    guard events >= 1 else { throw DemoError(message: "the demo needs at least 1 event (asked for \(events))") }
    let fm = FileManager.default
    try Self.checkNewOrEmpty(directory)
    for sub in ["links", "complaints", "policies", "platforms"] {
      try fm.createDirectory(
        atPath: (directory as NSString).appendingPathComponent(sub), withIntermediateDirectories: true)
    }
    var written: [String] = []
    func path(_ sub: String, _ name: String) -> String {
      let p = ((directory as NSString).appendingPathComponent(sub) as NSString).appendingPathComponent(name)
      written.append(p)
      return p
    }
    try DefaultPlatformRegistry.csv.write(toFile: path("platforms", "platforms.csv"), atomically: true, encoding: .utf8)
    // The filer's details a team keeps beside its database (report --filer): the import does not read the
    // inbox's top folder, and the demo's report names this file.
    let filer = (directory as NSString).appendingPathComponent("filer.yaml")
    try Self.filer.write(toFile: filer, atomically: true, encoding: .utf8)
    written.append(filer)
    for (name, text) in Self.policies {
      try text.write(toFile: path("policies", name), atomically: true, encoding: .utf8)
    }
    var rng = SplitMix64(state: seed)
    let utc = TimestampParser.utc
    let bounds = Self.quarters.map { utc.parse($0.start + "T00:00:00+08:00")! }
    let span = bounds.last!.milliseconds - bounds.first!.milliseconds
    let weights = Self.hosts.flatMap { h in Array(repeating: h.0, count: h.1) }
    guard users >= 1 else { throw DemoError(message: "the demo needs at least 1 user (asked for \(users))") }
    var quarter = 0
    var out: BufferedWriter? = nil
    let header = "event_id,occurred_at,scene,user_id,url,action,reason,detected_by,client_version\n"
    let sceneWeights: [Scene] =
      Array(repeating: .oneToOneChat, count: 40) + Array(repeating: .groupChat, count: 25)
      + Array(repeating: .moments, count: 12) + Array(repeating: .officialAccount, count: 8)
      + Array(repeating: .miniProgram, count: 5) + Array(repeating: .channels, count: 5)
      + Array(repeating: .search, count: 3) + Array(repeating: .other, count: 2)
    let problemCategories = Category.allCases.filter { $0 != .wronglyRestricted }
    let complaints = makeComplaints(bounds: bounds, weights: weights, rng: &rng)
    let normaliser = URLNormaliser()
    var domains: [String: String] = [:]
    func domainOf(_ host: String) -> String {
      if let d = domains[host] { return d }
      let d = (try? normaliser.normalise("https://\(host)/").domain) ?? host
      domains[host] = d
      return d
    }
    let decisions = DemoDecisions(complaints, domainOf: domainOf)
    for i in 0..<events {
      let t = Timestamp(
        milliseconds: bounds[0].milliseconds + Int64(Double(i) / Double(max(events, 1)) * Double(span))
          + Int64(rng.next() % 1000))
      while quarter < 3, t >= bounds[quarter + 1] || out == nil {
        if out != nil {
          try out!.close()
          quarter += 1
        }
        out = try BufferedWriter(path: path("links", "links-\(Self.quarters[quarter].name).csv"))
        try out!.write(header)
      }
      let scene = rng.pick(sceneWeights)
      let host: String
      if rng.chance(Self.tailShare) {
        let r = Double(rng.next() >> 11) / Double(1 << 53)
        host = Self.tailHost(Int(Double(Self.tailDomains) * r * r))
      } else {
        host = rng.pick(weights)
      }
      let page = rng.chance(Self.popularShare) ? rng.next() % Self.pagesPerHost : Self.pagesPerHost + rng.next() >> 24
      let url = "https://\(host)/\(Self.pathFor(host: host, n: page))"
      var category: Category? = nil
      if rng.chance(Self.risk(host, at: t)) { category = rng.pick(problemCategories) }
      let prescribed = Self.treatment(at: t, scene: scene, category: category)
      var action: LinkAction
      switch prescribed {
      case .open: action = .open
      case .warn: action = rng.chance(0.6) ? .warnProceed : .warnBack
      case .block: action = .block
      }
      if rng.chance(0.01) { action = rng.pick(LinkAction.allCases) }  // imperfect enforcement
      // A standing decision is enforced, nearly always: the rest are the post-decision opens.
      if action == .open, let decided = decisions.covering(url: url, domain: domainOf(host), at: t.milliseconds),
        rng.chance(0.97)
      {
        // Handled as its category prescribes (a warning for some principle-3 categories).
        category = decided
        action =
          Self.treatment(at: t, scene: scene, category: decided) == .block
          ? .block : (rng.chance(0.6) ? .warnProceed : .warnBack)
      }
      let reason = category?.rawValue ?? (action == .open ? "" : "scene_rule")
      let detected =
        action == .open
        ? ""
        : (category == nil
          ? "automated" : rng.pick(["automated", "automated", "automated", "user_report", "manual_review"]))
      let version = rng.pick(["8.0.14", "8.0.15", "8.0.16", "8.0.18"])
      // The oldest client sometimes opens a link it was told to restrict: what
      // got through, found (detected_by kept) but not enforced. Decided by the
      // event's number, so the rest of the data set is drawn as before.
      if category != nil, action != .open, version == "8.0.14", i % 37 == 0 { action = .open }
      try out!.write(
        "ev\(seed)-\(i),\(shanghaiISO(t)),\(scene.rawValue),wx_\(Self.userIndex(rng.next(), users: users)),\(url),\(action.rawValue),\(reason),\(detected),\(version)\n"
      )
    }
    try out?.close()
    try writeComplaints(
      complaints, first: path("complaints", "complaints-1.csv"), later: path("complaints", "complaints-2.csv"))
    return written
  }

  package static func pathFor(host: String, n: UInt64) -> String {
    host.contains("taobao") || host.contains("tmall") || host.contains("jd")
      ? "item/\(100_000 + n).htm?spm=\(n % 3)"
      : "s/\(n)"
  }

  package static func treatment(at t: Timestamp, scene: Scene, category: Category?) -> Treatment {
    if let category {
      switch category.principle {
      case .lawfulContent, .privacyAndSecurity: return .block
      default: return t >= interconnect ? .warn : .block
      }
    }
    if t >= interconnect { return [.oneToOneChat, .groupChat].contains(scene) ? .open : .warn }
    if t >= phase1 { return scene == .oneToOneChat ? .open : scene == .groupChat ? .warn : .block }
    return .block
  }

  /// One demo complaint in its final state; `stillOpen` and `resolvedLater`
  /// decide which file carries which state.
  package struct DemoComplaint {
    package var index: Int
    package var received: Timestamp
    package var resolvedAt: Timestamp
    package var host: String
    package var url: String
    package var category: Category
    package var outcome: Outcome
    package var action: String
    package var reporter: UInt64
    package var channel: String
    package var description: String
    package var stillOpen: Bool { index % 7 == 0 }
    package var resolvedLater: Bool { index % 3 == 0 }
  }

  /// The complaints, made before the events so that events can respect the
  /// decisions they lead to. One per 1,000 events: small enough to hold.
  private func makeComplaints(bounds: [Timestamp], weights: [String], rng: inout SplitMix64) -> [DemoComplaint] {
    let count = max(60, events / 1000)
    // Complaints come from where the problems are: hosts weighted by traffic times risk.
    func complaintHosts(at t: Timestamp) -> [String] {
      Self.hosts.flatMap { h in
        let weight = Double(h.1) * Self.risk(h.0, at: t) * 1000
        return Array(repeating: h.0, count: max(1, Int(weight.rounded())))
      }
    }
    let before = complaintHosts(at: Timestamp(milliseconds: Self.deteriorationStart.milliseconds - 1))
    let after = complaintHosts(at: Self.deteriorationStart)
    let span = bounds.last!.milliseconds - bounds.first!.milliseconds - 10 * 86_400_000
    let channels = ["in_chat", "in_chat", "in_chat", "web_portal", "hotline", "regulator_referral"]
    return (0..<count).map { i in
      let category = i < Category.allCases.count ? Category.allCases[i] : rng.pick(Category.allCases)
      let received = Timestamp(milliseconds: bounds[0].milliseconds + Int64(rng.next() % UInt64(span)))
      let host =
        category == .wronglyRestricted
        ? rng.pick(weights) : rng.pick(received >= Self.deteriorationStart ? after : before)
      let url = "https://\(host)/\(Self.pathFor(host: host, n: rng.next() % Self.pagesPerHost))"
      let description = rng.pick(Self.descriptions[category]!)
      // Most complaints are handled within a day, some take days, a few weeks.
      let bucket = rng.next() % 10
      let hours =
        bucket < 7
        ? Double(rng.next() % 200) / 10.0 + 0.5
        : bucket < 9 ? Double(rng.next() % 520) / 10.0 + 20 : Double(rng.next() % 3000) / 10.0 + 72
      let resolvedAt = Timestamp(milliseconds: received.milliseconds + Int64(hours * 3_600_000))
      // Complaints about a registered platform's pages are upheld less often
      // (many are disputes between users and a shop) than about the unknown domains.
      let deteriorated = host == Self.deterioratingHost && received >= Self.deteriorationStart
      let outcome: Outcome =
        rng.chance(Self.onPlatform(host) && !deteriorated ? 0.25 : 0.6)
        ? .upheld : rng.chance(0.8) ? .notUpheld : .duplicate
      let action: String
      if outcome != .upheld {
        action = ""
      } else if category == .wronglyRestricted {
        action = "restore"
      } else {
        // A whole domain is blocked only off the big platforms; on theirs, the one URL is.
        action = rng.pick([
          "block_url", "block_url", Self.onPlatform(host) ? "block_url" : "block_domain", "warn_url", "suspend_sharer",
          "none",
        ])
      }
      return DemoComplaint(
        index: i, received: received, resolvedAt: resolvedAt, host: host, url: url, category: category,
        outcome: outcome, action: action, reporter: rng.next() % 5000, channel: rng.pick(channels),
        description: description)
    }
  }

  package static func onPlatform(_ host: String) -> Bool {
    DefaultPlatformRegistry.platforms.contains { p in p.domains.contains { host == $0 || host.hasSuffix("." + $0) } }
  }

  /// The windows in which upheld block decisions stand, by URL and by domain,
  /// as the metrics define them: from an hour after resolution until the
  /// first later restore on the same URL (or domain).
  package struct DemoDecisions {
    package var byURL: [String: [(from: Int64, until: Int64, category: Category)]] = [:]
    package var byDomain: [String: [(from: Int64, until: Int64, category: Category)]] = [:]

    package init(_ complaints: [DemoComplaint], domainOf: (String) -> String) {
      let resolved = complaints.filter { !$0.stillOpen && $0.outcome == .upheld }
      let restores = resolved.filter { $0.action == "restore" }
      for d in resolved where d.action == "block_url" || d.action == "block_domain" {
        let domain = domainOf(d.host)
        let ends = restores.filter {
          $0.resolvedAt > d.resolvedAt && (d.action == "block_url" ? $0.url == d.url : domainOf($0.host) == domain)
        }.map(\.resolvedAt.milliseconds)
        let window = (from: d.resolvedAt.milliseconds + 3_600_000, until: ends.min() ?? Int64.max, category: d.category)
        if d.action == "block_url" {
          byURL[d.url, default: []].append(window)
        } else {
          byDomain[domain, default: []].append(window)
        }
      }
    }

    package func covering(url: String, domain: String, at t: Int64) -> Category? {
      // Two look-ups, no concatenated array: this runs for every open event.
      for w in byURL[url] ?? [] where t >= w.from && t < w.until { return w.category }
      for w in byDomain[domain] ?? [] where t >= w.from && t < w.until { return w.category }
      return nil
    }
  }

  private func writeComplaints(_ complaints: [DemoComplaint], first: String, later: String) throws {
    let header =
      "complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at,duplicate_of\n"
    // A duplicate names the latest earlier complaint about the same URL, else about the same host, when there is one.
    var earlier: [String: [DemoComplaint]] = [:]
    for c in complaints.sorted(by: { ($0.received.milliseconds, $0.index) < ($1.received.milliseconds, $1.index) }) {
      earlier[c.url, default: []].append(c)
      earlier["host:" + c.host, default: []].append(c)
    }
    func duplicateOf(_ c: DemoComplaint) -> String {
      guard c.outcome == .duplicate else { return "" }
      for key in [c.url, "host:" + c.host] {
        if let prior = earlier[key]?.last(where: { $0.received.milliseconds < c.received.milliseconds }) {
          return "c\(seed)-\(prior.index)"
        }
      }
      return ""
    }
    let a = try BufferedWriter(path: first)
    let b = try BufferedWriter(path: later)
    try a.write(header)
    try b.write(header)
    for c in complaints {
      let common =
        "c\(seed)-\(c.index),\(shanghaiISO(c.received)),rp_\(c.reporter),\(c.url),\(c.category.rawValue),\(c.channel),\"\(c.description)\""
      if c.stillOpen || c.resolvedLater {
        try a.write("\(common),open,,,,\(shanghaiISO(c.received)),\n")
      }
      if !c.stillOpen {
        try (c.resolvedLater ? b : a).write(
          "\(common),resolved,\(shanghaiISO(c.resolvedAt)),\(c.outcome.rawValue),\(c.action),\(shanghaiISO(c.resolvedAt)),\(duplicateOf(c))\n"
        )
      }
    }
    try a.close()
    try b.close()
  }

  package static let policies: [(String, String)] = [
    (
      "2021.01-baseline.md",
      """
      ---
      version: "2021.01-baseline"
      title: 微信外部链接内容管理规范
      effective_from: 2021-01-01T00:00:00+08:00
      scenes:
        default: block
      categories:
        default: block
      sla_hours:
        1: 24
        2: 24
        3: 72
        4: 72
      ---
      # 微信外部链接内容管理规范

      外部链接在各场景中默认不直接打开。
      """
    ),
    (
      "2021.09-phase1.md",
      """
      ---
      version: "2021.09-phase1"
      title: 微信外部链接内容管理规范（第一阶段）
      effective_from: 2021-09-17T00:00:00+08:00
      scenes:
        one_to_one_chat: open
        group_chat: warn
        default: block
      categories:
        induced_sharing: block
        induced_following: block
        excessive_marketing: block
        spam: block
        default: block
      sla_hours:
        1: 24
        2: 24
        3: 72
        4: 72
      ---
      # 微信外部链接内容管理规范（第一阶段）

      用户升级到最新版本微信后，可在一对一聊天场景中直接访问外部链接；设置外链投诉入口。
      """
    ),
    (
      "2021.11-interconnect.md",
      """
      ---
      version: "2021.11-interconnect"
      title: 微信外部链接内容管理规范（互联互通）
      effective_from: 2021-11-19T00:00:00+08:00
      scenes:
        one_to_one_chat: open
        group_chat: open
        default: warn
      categories:
        induced_sharing: warn
        induced_following: warn
        excessive_marketing: warn
        spam: warn
        default: block
      sla_hours:
        1: 24
        2: 24
        3: 48
        4: 48
      ---
      # 微信外部链接内容管理规范（互联互通）

      在保障信息安全的前提下，推进互联互通，将更多选择权交给用户。
      """
    ),
  ]
}

/// `2021-09-17T08:15:02+08:00`: the demo writes Asia/Shanghai wall-clock time
/// with its offset, so its files read the same under any --tz.
package func shanghaiISO(_ t: Timestamp) -> String {
  let shifted = Timestamp(milliseconds: t.milliseconds + 8 * 3_600_000).iso
  return String(shifted.prefix(19)) + "+08:00"
}

/// Why the demo could not be written, as a sentence.
public struct DemoError: Error, LocalizedError, Equatable {
  public let message: String
  public var errorDescription: String? { message }
}
