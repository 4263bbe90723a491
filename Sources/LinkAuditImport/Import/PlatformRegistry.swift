import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// One link-providing platform and the registrable domains it owns.
public struct Platform: Equatable, Sendable {
  public var id: String
  public var nameEnglish: String
  public var nameChinese: String
  public var domains: [String]
  public var `operator`: String?
}

/// The registry that ships with the tool, loaded on first use; a registry
/// import replaces it as a new version.
public enum DefaultPlatformRegistry {
  public static let fileName = BuiltInPlatformRegistry.fileName

  public static let platforms: [Platform] = [
    .init(
      id: "taobao", nameEnglish: "Taobao", nameChinese: "淘宝", domains: ["taobao.com", "tb.cn"], operator: "Alibaba"),
    .init(id: "tmall", nameEnglish: "Tmall", nameChinese: "天猫", domains: ["tmall.com"], operator: "Alibaba"),
    .init(id: "alipay", nameEnglish: "Alipay", nameChinese: "支付宝", domains: ["alipay.com"], operator: "Ant Group"),
    .init(id: "jd", nameEnglish: "JD.com", nameChinese: "京东", domains: ["jd.com", "3.cn"], operator: "JD.com"),
    .init(
      id: "pinduoduo", nameEnglish: "Pinduoduo", nameChinese: "拼多多", domains: ["pinduoduo.com", "yangkeduo.com"],
      operator: "PDD Holdings"),
    .init(
      id: "douyin", nameEnglish: "Douyin", nameChinese: "抖音", domains: ["douyin.com", "iesdouyin.com"],
      operator: "ByteDance"),
    .init(id: "toutiao", nameEnglish: "Toutiao", nameChinese: "今日头条", domains: ["toutiao.com"], operator: "ByteDance"),
    .init(
      id: "kuaishou", nameEnglish: "Kuaishou", nameChinese: "快手", domains: ["kuaishou.com", "gifshow.com"],
      operator: "Kuaishou Technology"),
    .init(
      id: "bilibili", nameEnglish: "Bilibili", nameChinese: "哔哩哔哩", domains: ["bilibili.com", "b23.tv"],
      operator: "Bilibili"),
    .init(id: "weibo", nameEnglish: "Weibo", nameChinese: "微博", domains: ["weibo.com", "weibo.cn"], operator: "Weibo"),
    .init(id: "zhihu", nameEnglish: "Zhihu", nameChinese: "知乎", domains: ["zhihu.com"], operator: "Zhihu"),
    .init(
      id: "xiaohongshu", nameEnglish: "Xiaohongshu", nameChinese: "小红书", domains: ["xiaohongshu.com", "xhslink.com"],
      operator: "Xingyin Information Technology"),
    .init(id: "baidu", nameEnglish: "Baidu", nameChinese: "百度", domains: ["baidu.com"], operator: "Baidu"),
    .init(
      id: "meituan", nameEnglish: "Meituan", nameChinese: "美团", domains: ["meituan.com", "dianping.com"],
      operator: "Meituan"),
    .init(
      id: "netease", nameEnglish: "NetEase", nameChinese: "网易", domains: ["163.com", "126.com"], operator: "NetEase"),
    .init(id: "iqiyi", nameEnglish: "iQIYI", nameChinese: "爱奇艺", domains: ["iqiyi.com"], operator: "iQIYI"),
    .init(id: "youku", nameEnglish: "Youku", nameChinese: "优酷", domains: ["youku.com"], operator: "Alibaba"),
  ]

  /// The registry as CSV, the same format `import platforms` reads; its hash
  /// identifies the built-in batch.
  public static var csv: String {
    var text = "platform_id,name_en,name_zh,domains,operator\n"
    for p in platforms {
      text += "\(p.id),\(p.nameEnglish),\(p.nameChinese),\(p.domains.joined(separator: " ")),\(p.operator ?? "")\n"
    }
    return text
  }
}
