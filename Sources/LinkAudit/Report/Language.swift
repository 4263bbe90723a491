import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// A language the report is written in.
public enum ReportLanguage: String, CaseIterable, Sendable {
  case zh, en

  public init?(code: String) {
    self.init(rawValue: code.trimmed.lowercased())
  }

  /// A term of the report in this language.
  package func text(_ term: Term) -> String {
    let pair = Self.terms[term]!
    return self == .zh ? pair.zh : pair.en
  }

  package func name(of metric: MetricDefinition) -> String { self == .zh ? metric.nameChinese : metric.nameEnglish }
  package func definition(of metric: MetricDefinition) -> String {
    self == .zh ? metric.definitionChinese : metric.definitionEnglish
  }
  package func name(of principle: Principle) -> String { self == .zh ? principle.chinese : principle.english }

  /// A quarter as its reader names it: 2022年第一季度, or 2022-Q1 in English.
  package func quarterName(_ q: Quarter) -> String {
    self == .zh ? "\(q.year)年第\(["一", "二", "三", "四"][q.number - 1])季度" : q.description
  }

  /// A time zone as its reader names it: 北京时间（UTC+8） for the rollups'
  /// default in Chinese; otherwise the IANA name, which is unambiguous.
  package func zoneName(_ zone: TimeZone) -> String {
    self == .zh && zone.identifier == "Asia/Shanghai" ? "北京时间（UTC+8）" : zone.identifier
  }

  /// After a list cut short: how many it has in all.
  package func moreInAll(_ count: Int) -> String { self == .en ? " … (\(count) in all)" : " …（共 \(count) 个）" }

  /// `label: value`, with a full-width colon in Chinese.
  package func labelled(_ label: String, _ value: String) -> String {
    self == .zh ? "\(label)：\(value)" : "\(label): \(value)"
  }

  /// Between the items of a list: `、` in Chinese.
  package var listSeparator: String { self == .zh ? "、" : ", " }

  /// Between clauses: a full-width semicolon in Chinese.
  package var clauseSeparator: String { self == .zh ? "；" : "; " }

  /// `text` with `aside` in brackets: full-width in Chinese.
  package func withAside(_ text: String, _ aside: String) -> String {
    self == .zh ? "\(text)（\(aside)）" : "\(text) (\(aside))"
  }

  /// "Principle 1 — Lawful content: …": the English name has a colon of its own.
  package func principleHeading(_ p: Principle) -> String {
    self == .zh ? "原则\(p.rawValue)：\(p.chinese)" : "Principle \(p.rawValue) — \(p.english)"
  }

  /// A filed version as a reader names it: 第2版, version 2.
  package func versionName(_ version: Int) -> String { self == .zh ? "第\(version)版" : "version \(version)" }

  /// Why a figure was retired.
  package func why(of retired: RetiredMetric) -> String { self == .en ? retired.why : retired.whyChinese }

  /// A principle where its name would not fit (a figure's name, a column): 原则1, P1.
  package func principleTag(_ p: Principle) -> String {
    self == .zh ? "原则\(p.rawValue)" : "P\(p.rawValue)"
  }

  /// A figure's name, after its principle's tag when it has one: `原则1 投诉成立数`.
  package func taggedName(of d: MetricDefinition) -> String {
    d.principle.map { "\(principleTag($0)) \(name(of: d))" } ?? name(of: d)
  }

  /// A local month (`2022-01`) as a reader names it: 2022年1月 in Chinese.
  package func monthName(_ yearMonth: String) -> String {
    guard self == .zh, let y = Int(yearMonth.prefix(4)), let m = Int(yearMonth.suffix(2)) else { return yearMonth }
    return "\(y)年\(m)月"
  }

  /// The kinds of code a reader meets, each read through `word`.
  package enum CodeKind: Sendable {
    case scene, category, action, treatment, detector, channel, status, outcome, actionTaken, batchKind, grade
    /// The rule an under-restricted event broke (`overview.under_restricted[rule=…]`).
    case rule
  }

  /// A script's name, as Homograph names it in English, in this language.
  package func scriptName(_ english: String) -> String {
    guard self == .zh else { return english }
    let zh = [
      "Latin": "拉丁字母", "Greek": "希腊字母", "Cyrillic": "西里尔字母", "Armenian": "亚美尼亚字母", "Hebrew": "希伯来字母",
      "Arabic": "阿拉伯字母", "Georgian": "格鲁吉亚字母", "Cherokee": "切罗基字母", "Han": "汉字", "Hiragana": "平假名",
      "Katakana": "片假名", "Bopomofo": "注音符号", "Hangul": "谚文", "Thai": "泰文", "another script": "其他文字",
      "phonetic Latin letters": "拉丁音标字母", "a dot look-alike": "形似点号的字符",
    ]
    return zh[english] ?? english
  }

  /// A code as words in the reader's language, from the one table of display
  /// names (the codes stay in `metrics.csv`, `decisions.csv` and the id
  /// columns). An unknown code reads as it is; no code as nothing.
  /// `overview.under_restricted` split by the rule broken, as a sentence.
  package func underRestrictedByRule(category: String, scene: String) -> String {
    self == .zh
      ? "处置宽于规范事件按所违反的规则：类别规则 \(category)，场景规则 \(scene)。"
      : "Under-restricted events by the rule broken (overview.under_restricted[rule=…]): a category's rule \(category), a scene's rule \(scene)."
  }

  package func word(_ kind: CodeKind, _ code: String?) -> String {
    guard let code else { return "" }
    guard let (en, zh) = Self.words[kind]?[code] else { return code }
    return self == .zh ? zh : en
  }

  private static func table<T: RawRepresentable>(_ cases: [T], _ names: (T) -> (String, String)) -> [String: (
    String, String
  )] where T.RawValue == String {
    Dictionary(uniqueKeysWithValues: cases.map { ($0.rawValue, names($0)) })
  }

  private static let words: [CodeKind: [String: (String, String)]] = [
    .scene: table(Scene.allCases) { ($0.english, $0.chinese) },
    .category: table(Category.allCases) { ($0.english, $0.chinese) }.merging([
      "scene_rule": ("Scene rule (no content reason)", "场景规则（无内容原因）")
    ]) { $1 },
    .action: [
      LinkAction.open.rawValue: ("Opened", "直接打开"),
      LinkAction.warnProceed.rawValue: ("Warned, went on", "提示后继续访问"),
      LinkAction.warnBack.rawValue: ("Warned, went back", "提示后返回"), LinkAction.block.rawValue: ("Blocked", "拦截"),
    ],
    .rule: ["category": ("A category's rule", "类别规则"), "scene": ("The scene's rule", "场景规则")],
    .treatment: [
      Treatment.open.rawValue: ("Open", "直接打开"), Treatment.warn.rawValue: ("Warn", "风险提示"),
      Treatment.block.rawValue: ("Block", "拦截"),
    ],
    .detector: [
      DetectedBy.automated.rawValue: ("Automated", "自动识别"), DetectedBy.userReport.rawValue: ("User report", "用户举报"),
      DetectedBy.manualReview.rawValue: ("Manual review", "人工审核"),
    ],
    .channel: [
      Channel.inChat.rawValue: ("In chat", "聊天内举报"), Channel.webPortal.rawValue: ("Web portal", "网页举报"),
      Channel.hotline.rawValue: ("Hotline", "热线电话"),
      Channel.regulatorReferral.rawValue: ("Regulator referral", "监管转办"),
    ],
    .status: [ComplaintStatus.open.rawValue: ("Open", "处理中"), ComplaintStatus.resolved.rawValue: ("Resolved", "已办结")],
    .outcome: [
      Outcome.upheld.rawValue: ("Upheld", "成立"), Outcome.notUpheld.rawValue: ("Not upheld", "不成立"),
      Outcome.duplicate.rawValue: ("Duplicate", "重复投诉"),
    ],
    .actionTaken: [
      ActionTaken.warnURL.rawValue: ("Warn on the URL", "对URL提示"),
      ActionTaken.blockURL.rawValue: ("Block the URL", "拦截URL"),
      ActionTaken.blockDomain.rawValue: ("Block the domain", "拦截域名"),
      ActionTaken.suspendSharer.rawValue: ("Suspend the sharer", "暂停分享者"),
      ActionTaken.restore.rawValue: ("Restore", "恢复"), ActionTaken.none.rawValue: ("None", "未处置"),
    ],
    .batchKind: [
      "links": ("Link log", "外链日志"), "complaints": ("Complaints", "投诉"), "policies": ("Policy version", "规范版本"),
      "platforms": ("Platform registry", "平台名录"),
      "rollups": ("Link log counted in the warehouse (rollup bundle)", "数仓汇总的外链日志（汇总包）"),
    ],
    .grade: ["A": ("A", "A"), "B": ("B", "B"), "C": ("C", "C"), "D": ("D", "D"), "NR": ("NR (not rated)", "未评级")],
  ]

  /// A rate's numerator and denominator (`12/21`), or the number of values
  /// an hours figure is taken over (`n = 7`); empty for a count.
  package func counts(of f: Figure) -> String {
    guard let d = f.denominator else { return "" }
    guard let n = f.numerator else { return self == .zh ? "\(Int(d).grouped) 个值" : "n = \(Int(d).grouped)" }
    return "\(Int(n).grouped)/\(Int(d).grouped)"
  }

  /// What a reader must know before weighing a figure: a rate over a small
  /// number carries its Wilson 95% interval; a P90 over fewer than 10 values
  /// is the largest of them.
  /// A deadlines-met rate carries, from `figures`, the principle's complaints
  /// overdue and open at the end: those fell due earlier and count in no rate.
  package func caveat(of f: Figure, kind: MetricKind, in figures: QuarterFigures? = nil) -> String {
    let overdue = overdueBeside(f, in: figures)
    if kind == .rate, let (low, high) = f.smallNumberInterval {
      let range = String(format: "%.2f%%–%.2f%%", low * 100, high * 100)
      let small = self == .zh ? "样本量小：95%置信区间 \(range)" : "small number: 95% interval \(range)"
      return [small, overdue].filter { !$0.isEmpty }.joined(separator: self == .zh ? "；" : "; ")
    }
    if !overdue.isEmpty { return overdue }
    if f.metricID == .daysSinceLastComplaint, !complaintSilence(f.value.double).isEmpty {
      // Beside the figure, short: the cover, the summary's lead and Data quality say it whole.
      return self == .zh
        ? "达到 \(MetricCatalogue.complaintSilenceDays) 天即提示：投诉数据可能缺失"
        : "flagged from \(MetricCatalogue.complaintSilenceDays) days: the complaints feed may be missing"
    }
    if f.metricID.rawValue.contains(".p90_"), let n = f.denominator, n > 0, n < Figure.smallSample {
      return self == .zh ? "不足10个值，即最大值" : "fewer than 10 values: the maximum"
    }
    return ""
  }

  /// `pN.overdue_at_end` beside `pN.due_met_rate`, so a rate of the complaints that
  /// fell due never stands alone beside complaints months overdue; empty for another figure.
  package func overdueBeside(_ f: Figure, in figures: QuarterFigures?) -> String {
    guard let figures, let p = Principle.allCases.first(where: { f.metricID == .dueMetRate($0) }) else { return "" }
    let n = figures[MetricID.overdueAtEnd(p)]?.double.map { Int($0) } ?? 0
    // Those that fell due this quarter are in the rate's denominator as missed; those due earlier in no rate.
    return self == .zh
      ? "季末超期未办结 \(n.grouped) 件：本季度到期的已计为未按时办结，此前到期的不计入本比率"
      : "\(n.grouped) overdue and open at the end: those due this quarter count here as missed, those due earlier in no rate"
  }

  /// The flag on a long silence of the complaint feed (`overview.days_since_last_complaint`
  /// of `MetricCatalogue.complaintSilenceDays` or more); empty for a shorter one or none.
  package func complaintSilence(_ days: Double?) -> String {
    guard let days, days >= Double(MetricCatalogue.complaintSilenceDays) else { return "" }
    return self == .zh
      ? "\(Int(days)) 天无投诉（达到 \(MetricCatalogue.complaintSilenceDays) 天即提示）：长时间无投诉可能意味着投诉数据缺失，请核实投诉数据是否已全部导入。"
      : "\(Int(days)) days without a complaint (flagged from \(MetricCatalogue.complaintSilenceDays)): a long silence may mean a missing complaints feed; check that every complaint file was imported."
  }

  /// What detected a listed event: an `open` was never restricted, so nothing
  /// was detected, whatever the stored default (`automated`) says.
  package func detector(action: String, detectedBy: String) -> String {
    if action == LinkAction.open.rawValue { return self == .zh ? "不适用（未限制）" : "n/a (not restricted)" }
    return word(.detector, detectedBy)
  }

  /// The art. 47 mark of an event that got through: principle 1 content let
  /// through more leniently than prescribed, to be reported; whether the user
  /// reached the page is said separately (one who went back at a warning did not).
  package func art47Mark(principle: Int64?, action: String) -> String {
    guard principle == 1 else { return "" }
    switch action {
    case LinkAction.open.rawValue, LinkAction.warnProceed.rawValue:
      return self == .zh ? "是（已打开目标页面）" : "yes (reached the page)"
    case LinkAction.warnBack.rawValue:
      return self == .zh ? "是（提示后返回，未打开目标页面）" : "yes (went back at the warning: did not reach the page)"
    default: return text(.toReportMark)
    }
  }

  /// How many of a list's rows are shown: all, or the first `shown` of `total`.
  package func listed(_ shown: Int, of total: Int64) -> String {
    if Int64(shown) >= total {
      return self == .zh ? "共 \(Int(total).grouped) 条。" : "\(Int(total).grouped) in all."
    }
    return self == .zh
      ? "共 \(Int(total).grouped) 条，此处列出前 \(shown.grouped) 条；全部可用 linkaudit 查询。"
      : "The first \(shown.grouped) of \(Int(total).grouped); linkaudit query lists them all."
  }

  /// How many of a case list's rows are shown: all, or the first `shown` of
  /// `total` and the rest in the package's case register `file`.
  /// `held` of the `total` are held one by one; the rest are said to be missing, and why.
  package func listedCases(_ shown: Int, of total: Int64, held: Int64, in file: String) -> String {
    let missing = total - held
    let gap =
      missing <= 0
      ? ""
      : self == .zh
        ? "其中 \(Int(missing).grouped) 条未逐条保存（来自第3版之前的仓库作业所制汇总包，未随附这些事件），无法列出：请用本 linkaudit 的仓库作业重新生成并导入汇总包。"
        : " \(Int(missing).grouped) of them are not held one by one and cannot be listed: the quarter came from a warehouse bundle made by a job before version 3, which did not ship them; run this linkaudit's warehouse job and import its bundle."
    if Int64(shown) >= held {
      if held >= total { return listed(shown, of: total) }
      return
        (self == .zh
        ? "共 \(Int(total).grouped) 条，此处列出 \(shown.grouped) 条。"
        : "\(Int(total).grouped) in all; \(shown.grouped) listed here.") + gap
    }
    let more = Int(held - Int64(shown)).grouped
    return
      (self == .zh
      ? "共 \(Int(total).grouped) 条，此处列出前 \(shown.grouped) 条；其余 \(more) 条见案例文件 \(file)。"
      : "The first \(shown.grouped) of \(Int(total).grouped); \(more) more in cases file \(file).") + gap
  }

  /// A decision's enforcement as the summary names it: its id, rate and counts.
  package func decisionEnforcement(_ d: ReportData.DecisionRow) -> String {
    let rate = d.enforcementRate.map { String(format: "%.2f%%", $0 * 100) } ?? "—"
    return self == .zh
      ? "\(d.complaintID)：\(rate)（\(d.taps.grouped) 次点击中 \(d.enforced.grouped) 次按决定执行，\(d.reached.grouped) 次仍打开了目标页面）"
      : "\(d.complaintID): \(rate) (\(d.enforced.grouped) of \(d.taps.grouped) taps handled as decided, \(d.reached.grouped) reached the page)"
  }

  /// The summary sheet's lead: the decision enforcement rate with its counts.
  package func decisionLead(_ figures: QuarterFigures) -> String {
    let taps = figures.figure(.decisionTaps)?.value.double.map { Int64($0) } ?? 0
    guard taps > 0, let rate = figures[.decisionEnforcementRate]?.double else {
      return self == .zh
        ? "处置决定执行率：无值，本季度无点击落在生效的处置决定之下。"
        : "Decision enforcement rate (overview.decision_enforcement_rate): none, no tap fell under a standing decision this quarter."
    }
    let enforced = figures[.decisionEnforced]?.csv ?? ""
    let reached = figures[.decisionReached]?.double.map { Int($0).grouped } ?? ""
    let percent = String(format: "%.2f%%", rate * 100)
    let enforcedText = Int64(enforced).map { Int($0).grouped } ?? enforced
    return self == .zh
      ? "处置决定执行率：\(percent)。处置决定覆盖的 \(Int(taps).grouped) 次点击中，\(enforcedText) 次按决定执行；\(reached) 次仍打开了目标页面（直接打开或提示后继续访问）。"
      : "Decision enforcement rate (overview.decision_enforcement_rate): \(percent): of \(Int(taps).grouped) taps under a standing decision, \(enforcedText) were handled as decided; \(reached) reached the page (opened, or went on through a warning)."
  }

  /// The overdue referrals by id, each with its whole days past the deadline at the quarter's end.
  /// At most `overdueReferralsNamed` of them, then how many more: a cell holds 32,767
  /// characters, and the Referrals register lists them all.
  package func overdueReferralList(_ referrals: [ReportData.ComplaintRow]) -> String {
    let named = referrals.prefix(Self.overdueReferralsNamed).map {
      let days = $0.daysOverdueAtEnd ?? 0
      return self == .zh ? "\($0.complaintID)（\(days) 天）" : "\($0.complaintID) (\(days) days)"
    }.joined(separator: self == .zh ? "、" : ", ")
    let more = referrals.count - Self.overdueReferralsNamed
    guard more > 0 else { return named }
    return self == .zh
      ? named + "，另有 \(more.grouped) 件，全部见“监管转办”表"
      : named + ", and \(more.grouped) more, all on the Referrals sheet"
  }

  /// How many overdue referrals the summary names one by one.
  package static let overdueReferralsNamed = 200

  /// How many decisions the Markdown lists: all, or those that stopped least.
  package func listedDecisions(_ shown: Int, of total: Int) -> String {
    if shown >= total {
      return self == .zh ? "共 \(total.grouped) 项。" : "\(total.grouped) in all."
    }
    return self == .zh
      ? "共 \(total.grouped) 项，此处列出其下仍打开了目标页面的点击最多（其次覆盖点击最多）的 \(shown.grouped) 项，按生效时间排列；全部见 `decisions.csv` 及工作簿“处置决定”工作表。"
      : "\(total.grouped) in all; listed here are the \(shown.grouped) with the most taps that reached the page under them (then the most taps), in order of effect; `decisions.csv` and the workbook's Decisions sheet list them all."
  }

  /// A span of whole days, as a column heads it: `0-7天`, `0-7 days`.
  package func days(_ span: String) -> String { self == .zh ? "\(span)天" : "\(span) days" }

  /// Where a principle's URLs restricted late are listed, and how many.
  package func lateActionsInAnnex(_ n: Int) -> String {
    self == .zh
      ? "首次出现后超过\(MetricCatalogue.lateActionHours)小时才受限的URL：\(n.grouped) 个，逐一列于附件工作簿“滞后处置”工作表及 \(Registers.lateActions)。"
      : "URLs restricted more than \(MetricCatalogue.lateActionHours) hours after first seen: \(n.grouped), each listed in the annex workbook (Late actions) and \(Registers.lateActions)."
  }

  /// Under a chart of rates: the rows listed last are not drawn.
  package func notDrawn(_ fewest: Int64) -> String {
    self == .zh
      ? "事件数少于 \(fewest) 的场景列于表末，不绘入图表：其比率随一两个事件大幅波动。"
      : "Scenes of fewer than \(fewest) events are listed last and not drawn: one or two events swing their rate."
  }

  /// A main-workbook page's list of cases: how many in all, how many listed
  /// here and in what order, and where the rest are.
  package func shownOfAll(_ shown: Int, of total: Int, order: String, sheet: String, file: String) -> String {
    if shown >= total {
      return self == .zh
        ? "共 \(total.grouped) 项，全部列出（\(order)）；亦见附件工作簿“\(sheet)”工作表及 \(file)。"
        : "\(total.grouped) in all, every one listed (\(order)); also in the annex workbook (\(sheet)) and \(file)."
    }
    return self == .zh
      ? "共 \(total.grouped) 项，此处列出前 \(shown.grouped) 项（\(order)）；全部见附件工作簿“\(sheet)”工作表及 \(file)。"
      : "\(total.grouped) in all; the first \(shown.grouped) are listed here (\(order)); every one is in the annex workbook (\(sheet)) and \(file)."
  }

  package enum Term: Hashable {
    case reportTitle, period, timeZone, toolVersion, dataAsOf, policiesInForce, version, title, effectiveFrom, sha256
    case batches, principles, cover, summary, conformance, complaints, dataQuality, methodology
    case principleSheet(Int)
    case metric, metricID, name, definition, sql, thisQuarter, previousQuarter, change, value
    case scene, platform, events, conforming, overRestricted, underRestricted, conformanceRate, openRate
    case domain, upheld, month, principle, category, restrictions
    case complaintID, reporter, receivedAt, channel, status, resolvedAt, hoursToResolve, slaHours, outcome
    case actionTaken, url, description
    case batch, kind, file, importedAt, rowsRead, rowsStored, rowsDuplicate, rowsRejected
    case line, column, error, noRejectedRows, parameters, populations, populationsText, none
    case complaintsByMonth, complaintCount, openRateByScene, topDomains, restrictionsByCategory, pageFooter
    case ratings, ratingModel, formula, score, grade, explanation, dataFingerprint, signingKey
    case backlog, referrals, listedAs, openAtEnd, openOverdue, resolvedLate, hoursOpenAtEnd, noCases
    case daysOverdueAtEnd, daysOverdue, overdue, overdueMark, overdueByAge, daysSinceLastComplaint
    case lateActions, firstSeen, firstRestricted, hoursToAction, opensBefore, toReport, toReportMark
    case decisions, scope, target, standsFrom, restoredAt, upheldWithoutAction, tapsUnder, tapsEnforced, tapsReached
    case decisionEnforcementRate
    case ruleBroken, interconnection, interconnectionNote, sceneRuleRestrictions, ofEvents
    case gotThrough, gotThroughEvents, gotThroughCounts, eventID, occurredAt, action, prescribed, detectedBy,
      detectorNote, art47Note, retiredFigures, retiredNote, replacedBy, why
    case clientVersion, duplicateOf, decisionsNote, counts, caveat, latestEvent, latestComplaint, daysWithoutEvents,
      noDays
    case homographHosts, homographNote, noHomographHosts, host, punycode, scripts
    case quarterWord, warnedShare, blockedShare, warnedOfRestricted, proceedRate, sceneRuleShare, byPolicyVersion
    case byPolicyVersionNote, trends, trendsNote, policyTakingEffect, rates, repeatOffenders, repeatOffendersNote
    case unregistered, monthsRestricted, decisionsStandingAtEnd, opensUnderDecisions, rank
    case filingVersion, issuedAt, reissueReason, corrections, correctsVersion, figuresChanged, noFigureChanged
    case batchesSince, noBatchesSince, policyAndModel, unchanged, figure, absent
    // The key findings page.
    case keyFindings, needsAction, improvedBeyondInterval, finding, caseCount, casesByID, noneFound, keyFindingsNote
    // The Cover's formal parts.
    case filerEntity, creditCode, responsiblePerson, contactPerson, contactPhone, contactEmail, filerNotGiven,
      declaration, declarationText, signature, seal, signedOn
    // The ratings' sheets.
    case ratingEvidence, window, indicatorCosts, indicator, count, perTenThousandEvents, interval95, adjusted,
      pointsLost, beyondEveryGraded, yes, unregisteredMostUpheld, eventsCount, complaintsBehindV, restrictionsBehindR,
      opensBehindX, allRegistered, eventsUnit, marginDown, marginDownNote, marginUp, marginUpNote, eventsInWindow,
      evidenceIDs, notRated
    // The annexes beside the main workbook (issue 32).
    case annexTitle, annexNote, underRestrictedSheet, lateActionsSheet, sqlInMethodologyFile, methodologyFileTitle,
      methodologyFileNote, parameter, inReportZone, storedUTC, ratingsFigures, evidenceSmallSheet, evidenceVSheet,
      evidenceXSheet, evidenceRSheet
    // The filing's twenty pages (issue 32): the overview, the rules in force, the methodology in words.
    case overview, principlesAtAGlance, rulesSheet, rulesNote, treatmentByScene, treatmentByCategory, deadlineHours,
      anyOther, openRatesByPlatformSheet, populationsPlain, leastEnforcedFirst, lawfulFirst, overdueFirst,
      principle4More, dataQualityInAnnex, policyChangedNote, underADay,
      principle4MoreTitle
  }

  private static let terms: [Term: (en: String, zh: String)] = [
    .reportTitle: ("External link management: quarterly report", "外部链接内容管理季度报告"),
    .filingVersion: ("Filed version", "报送版本"),
    .issuedAt: ("Issued (this version)", "本版签发时间"),
    .reissueReason: ("Reason for this version", "本版重新报送原因"),
    .corrections: ("Corrections", "更正说明"),
    .correctsVersion: ("Corrects version", "所更正的版本"),
    .figuresChanged: ("Figures changed", "数值变动的指标"),
    .noFigureChanged: ("No figure changed.", "无指标数值变动。"),
    .batchesSince: ("Batches imported since that version", "该版本之后导入的批次"),
    .noBatchesSince: ("No batch imported since.", "此后无新导入批次。"),
    .policyAndModel: ("Policy versions and rating model", "规范版本与评级模型"),
    .unchanged: ("unchanged", "未变"),
    .figure: ("Figure", "指标"),
    .absent: ("(absent)", "（无）"),
    .period: ("Period", "报告期"),
    .timeZone: ("Time zone", "时区"),
    .toolVersion: ("Tool version", "工具版本"),
    .dataAsOf: ("Imported (latest import)", "导入时间（最近一次导入）"),
    .latestEvent: ("Latest event", "最新事件时间"),
    .latestComplaint: ("Latest complaint received or updated", "最新投诉受理或更新时间"),
    .daysWithoutEvents: ("Days of the quarter with no events", "本季度无任何事件的日期"),
    .noDays: ("none", "无"),
    .quarterWord: ("Quarter", "季度"),
    .trends: ("Trends", "趋势"),
    .trendsNote: (
      "The last quarters that hold data, up to this one. ▲ marks a quarter in which a policy version took effect: event figures either side of it are under different rules.",
      "截至本季度、有数据的最近若干季度。▲ 标记有规范版本生效的季度：其前后的事件类指标适用不同规则。"
    ),
    .policyTakingEffect: ("Policy versions taking effect", "当季生效的规范版本"),
    .rates: ("Rates", "比率"),
    .repeatOffenders: ("Repeat offenders", "屡犯域名"),
    .repeatOffendersNote: (
      "The 20 registrable domains with most restrictions of principles 1-3 over the last four quarters (this one and the three before), with their upheld complaints of principles 1-3 in those quarters, the decisions on them standing at this quarter's end, and the events opened under any decision on them in those quarters.",
      "最近四个季度（本季度及之前三个季度）原则1至3限制次数最多的20个可注册域名，及其在此期间原则1至3的成立投诉数、本季度末仍生效的处置决定数，以及此期间在其任一处置决定下仍被打开的事件数。"
    ),
    .unregistered: ("Unregistered", "未登记"),
    .monthsRestricted: ("Months restricted", "受限月份"),
    .decisionsStandingAtEnd: ("Decisions standing at the end", "季末生效的处置决定"),
    .opensUnderDecisions: ("Opened under a decision", "处置决定下被打开"),
    .rank: ("Rank", "排名"),
    .warnedShare: ("Warned", "提示占比"),
    .blockedShare: ("Blocked", "拦截占比"),
    .warnedOfRestricted: ("Warned of restricted", "受限中提示占比"),
    .proceedRate: ("Proceeded after a warning", "提示后继续率"),
    .sceneRuleShare: ("Restricted by a scene rule", "场景规则受限占比"),
    .byPolicyVersion: ("Like for like: event figures by policy version", "同口径比较：按规范版本的事件指标"),
    .byPolicyVersionNote: (
      "The two quarters compared do not share one policy version: each event figure is shown for the events under each version, so a change of rules is not read as a change of behaviour.",
      "所比较的两个季度并非适用同一规范版本：以下按各版本下的事件分别列出事件类指标，以免把规则变化误读为行为变化。"
    ),
    .policiesInForce: ("Policy versions in force", "报告期内适用的规范版本"),
    .version: ("Version", "版本"),
    .title: ("Title", "标题"),
    .effectiveFrom: ("Effective from", "生效时间"),
    .sha256: ("SHA-256", "SHA-256"),
    .batches: ("Imported batches", "已导入批次"),
    .principles: ("The four principles", "四项原则"),
    .cover: ("Cover", "封面"),
    .summary: ("Summary", "摘要"),
    .conformance: ("Conformance", "规范符合性"),
    .complaints: ("Complaints", "投诉明细"),
    .backlog: ("Backlog", "积压与超时"),
    .referrals: ("Referrals", "监管转办"),
    .listedAs: ("Listed as", "列入原因"),
    .openAtEnd: ("open at the end", "季末未办结"),
    .openOverdue: ("open at the end, overdue", "季末未办结且已超时"),
    .resolvedLate: ("resolved late", "超时办结"),
    .hoursOpenAtEnd: ("Hours open at the end", "季末已受理时长（小时）"),
    .daysOverdueAtEnd: ("Days overdue at the end", "季末超时天数"),
    .daysOverdue: (
      "Days overdue (at the end if open, at resolution if resolved late)", "超时天数（未办结的计至季末，超时办结的计至办结）"
    ),
    .overdue: ("Overdue", "是否超时"),
    .overdueMark: ("overdue", "已超时"),
    .lateActions: (
      "URLs restricted more than 24 h after first seen (pN.late_actions)", "首次出现24小时后才受限的URL"
    ),
    .firstSeen: ("First seen", "首次出现时间"),
    .toReport: ("Report to the authority (CSL art. 47)", "应报告主管部门（网络安全法第四十七条）"),
    .toReportMark: ("yes", "是"),
    .firstRestricted: ("First restricted", "首次受限时间"),
    .hoursToAction: ("Hours to action", "处置时效（小时）"),
    .opensBefore: ("Direct opens before", "受限前直接打开次数"),
    .daysSinceLastComplaint: ("Days from the last complaint to the quarter's end", "最后一件投诉至季末的天数"),
    .overdueByAge: (
      "Overdue at the end, by whole days past the deadline (pN.overdue_at_end)",
      "季末超时未办结投诉，按超过期限的整天数"
    ),
    .noCases: ("None in this quarter.", "本季度无。"),
    .decisions: ("Decisions", "处置决定"),
    .scope: ("Scope", "范围"),
    .target: ("URL or domain", "URL或域名"),
    .standsFrom: ("Effective from", "生效时间"),
    .restoredAt: ("Restored at", "恢复时间"),
    .tapsUnder: ("Taps under it", "覆盖点击数"),
    .tapsEnforced: ("Handled as decided", "按决定执行"),
    .tapsReached: ("Reached the page", "仍打开了目标页面"),
    .decisionEnforcementRate: ("Enforced", "执行率"),
    .upheldWithoutAction: (
      "Upheld complaints closed with less than the prescribed action (pN.upheld_without_action)",
      "成立但处置宽于规范要求的投诉"
    ),
    .decisionsNote: (
      "Every decision standing at some time in the quarter, with the quarter's taps on its URL or domain while it stood, each once per decision (decision.taps), by action; handled as decided: at least as strict as the decision prescribes (a block for block_url and block_domain, a warning or block for warn_url: decision.enforced); reached the page: opened or went on through a warning (decision.reached).",
      "本季度任一时点生效的全部处置决定，及其生效期间落在其URL或域名上的本季度点击（每项决定下每个点击计一次），按处置结果分列；按决定执行：处置不宽于决定要求（拦截URL、拦截域名要求拦截，对URL提示要求提示或拦截）；仍打开了目标页面：直接打开或提示后继续访问。"
    ),
    .gotThrough: ("Got through", "处置宽于规范"),
    .gotThroughEvents: (
      "Each event handled more leniently than its policy prescribes, by a category's rule or the scene's",
      "处置宽于规范要求的每一事件（违反类别规则或场景规则）"
    ),
    .ruleBroken: ("Rule broken", "所违反的规则"),
    .interconnection: ("Interconnection: restrictions by platform", "互联互通：分平台的限制"),
    .interconnectionNote: (
      "By the platform of the link's domain (p4.scene_rule_restrictions[platform=…], p4.over_restricted[platform=…]): taps restricted by the scene's own rule, with no content reason, and events restricted beyond what the policy prescribes, each beside the platform's events. Domains of no registered platform are counted as Unregistered. Rows by events, most first; Unregistered last.",
      "按链接域名所属平台：因场景自身规则、无内容原因而受限的点击，以及处置严于规范要求的事件，均与该平台的事件数并列。不属于任何已登记平台的域名计为“未登记”。各行按事件数从多到少排列，“未登记”列于最后。"
    ),
    .sceneRuleRestrictions: ("Scene-rule restrictions", "场景规则限制"),
    .ofEvents: ("Of its events", "占其事件"),
    .gotThroughCounts: (
      "Principle 3: events handled more leniently than prescribed, by category and domain",
      "原则3：处置宽于规范要求的事件（按类别和域名）"
    ),
    .eventID: ("Event id", "事件编号"),
    .counts: ("Of", "分子/分母"),
    .caveat: ("Read with care", "提示"),
    .occurredAt: ("Time", "时间"),
    .action: ("Action", "处置"),
    .prescribed: ("Prescribed", "规范要求"),
    .detectedBy: ("Detected by", "发现方式"),
    .retiredFigures: ("Retired figures", "已停用的指标"),
    .replacedBy: ("Replaced by", "替代编号"),
    .why: ("Why", "停用原因"),
    .retiredNote: (
      "Definitions changed: figures that read better than the cases behind them are retired, not redefined (among them overview.enforcement_rate, over every tap, replaced by overview.decision_enforcement_rate over the taps under a decision); the Methodology sheet's Retired figures table lists each retired id, its replacement and why.",
      "口径变更：读来好于其背后个案的指标已停用，而非改变其定义（其中以全部点击为分母的“执行率”，由仅以处置决定覆盖的点击为分母的“处置决定执行率”替代）；“方法说明”表的“已停用的指标”逐项列出停用的指标、替代指标及原因。"
    ),
    .art47Note: (
      "A principle 1 event is content of principle 1 let through more leniently than the policy prescribes: it is marked for reporting to the competent authority (Cybersecurity Law art. 47), and the mark says whether the user reached the page (opened it, or went on through a warning) or went back at the warning.",
      "原则1事件为原则1内容被以宽于规范要求的方式放行，标注为应向主管部门报告（网络安全法第四十七条）；标注另注明用户是否打开了目标页面（直接打开或提示后继续访问），或在提示后返回。"
    ),
    .detectorNote: (
      "Detected by: Automated, the platform's own detection; Manual review, a reviewer of the platform; User report, the restriction followed a user's report (a complaint, or the report button), so the link reached at least one user before it was restricted. A source that does not say is stored as Automated. An event opened directly was not restricted, so nothing detected it: n/a (not restricted).",
      "发现方式：自动识别，即平台自身的检测；人工审核，即平台审核人员；用户举报，即限制源于用户的举报（投诉或举报按钮），故该链接在受限前已到达至少一名用户。数据未注明的记为自动识别。直接打开的事件未受限制，无所谓发现：显示为“不适用（未限制）”。"
    ),
    .clientVersion: ("Client version", "客户端版本"),
    .duplicateOf: ("Duplicate of", "重复于"),

    .dataQuality: ("Data quality", "数据质量"),
    .methodology: ("Methodology", "方法说明"),
    .principleSheet(1): ("Principle 1", "原则一"),
    .principleSheet(2): ("Principle 2", "原则二"),
    .principleSheet(3): ("Principle 3", "原则三"),
    .principleSheet(4): ("Principle 4", "原则四"),
    .metric: ("Metric", "指标"),
    .metricID: ("Metric id", "指标编号"),
    .name: ("Name", "名称"),
    .definition: ("Definition", "定义"),
    .sql: ("SQL", "SQL"),
    .thisQuarter: ("This quarter", "本季度"),
    .previousQuarter: ("Previous quarter", "上季度"),
    .change: ("Change", "变化"),
    .value: ("Value", "数值"),
    .scene: ("Scene", "场景"),
    .platform: ("Platform", "平台"),
    .events: ("Events", "事件数"),
    .conforming: ("Conforming", "符合"),
    .overRestricted: ("Over-restricted", "处置严于规范"),
    .underRestricted: ("Under-restricted", "处置宽于规范"),
    .conformanceRate: ("Conformance rate", "符合率"),
    .openRate: ("Open rate", "直接打开率"),
    .domain: ("Domain", "域名"),
    .upheld: ("Upheld", "成立数"),
    .month: ("Month", "月份"),
    .complaintCount: ("Complaints", "投诉数（件）"),
    .principle: ("Principle", "原则"),
    .category: ("Category", "类别"),
    .restrictions: ("Restrictions", "限制次数"),
    .complaintID: ("Complaint id", "投诉编号"),
    .reporter: ("Reporter (pseudonym)", "投诉人（去标识化）"),
    .receivedAt: ("Received", "受理时间"),
    .channel: ("Channel", "渠道"),
    .status: ("Status", "状态"),
    .resolvedAt: ("Resolved", "办结时间"),
    .hoursToResolve: ("Hours to resolve", "办结时长（小时）"),
    .slaHours: ("SLA (hours)", "时限（小时）"),
    .outcome: ("Outcome", "结论"),
    .actionTaken: ("Action taken", "处置措施"),
    .url: ("URL", "链接"),
    .description: ("Description (masked)", "投诉描述（已脱敏）"),
    .batch: ("Batch", "批次"),
    .kind: ("Kind", "类型"),
    .file: ("File", "文件"),
    .importedAt: ("Imported", "导入时间"),
    .rowsRead: ("Rows read", "读取行数"),
    .rowsStored: ("Stored", "入库行数"),
    .rowsDuplicate: ("Duplicates", "重复行数"),
    .rowsRejected: ("Rejected", "拒收行数"),
    .line: ("Line", "行号"),
    .column: ("Column", "列"),
    .error: ("Error", "错误"),
    .noRejectedRows: ("No rejected rows.", "无拒收行。"),
    .homographHosts: ("Hosts that mix scripts or look-alike letters in one label", "单个标签混用多种文字或形似字符的主机"),
    .homographNote: (
      "Each is stored and counted as a site of its own, with its events in the quarter; such a name may imitate another site's (tаobao.com with a Cyrillic а, ta〇bao.com, jd.cᴏm). The punycode form shows the difference; phone and ID numbers in a host are masked.",
      "以下主机均按独立网站入库和计数，并列出本季度事件数；此类名称可能仿冒其他网站（如含西里尔字母 а 的 tаobao.com、ta〇bao.com、jd.cᴏm），Punycode 形式可显示其差异；主机中的手机号和身份证号已作掩码处理。"
    ),
    .noHomographHosts: (
      "No host with events this quarter mixes scripts or look-alike letters in one label.",
      "本季度有事件的主机中，没有在单个标签中混用多种文字或形似字符的。"
    ),
    .host: ("Host", "主机"),
    .punycode: ("Punycode form", "Punycode 形式"),
    .scripts: ("Scripts", "文字"),
    .parameters: ("Parameters", "参数"),
    .populations: ("Populations", "统计口径"),
    .populationsText: (
      "E: link events with occurred_at in [start, end). C: complaints in their latest imported state with received_at in [start, end). Times are stored in UTC; start and end are the quarter's bounds in the report time zone. A rate with an empty denominator has no value (—). Event figures are read from counts every import keeps (event_month, host_month, platform_month, reason_month, quarter_users, decision_open, covered_month, decision_month, decision_tap, covered_tap, url_restriction: quarters are whole months, so they are exact); linkaudit doctor derives them afresh from the events and names any difference.",
      "E：occurred_at 位于 [start, end) 的外链点击事件。C：received_at 位于 [start, end) 的投诉（按最新导入状态）。时间以 UTC 存储；start、end 为报告时区下本季度的起止。分母为空的比率无数值（—）。事件类指标读自每次导入时同步维护的汇总表（event_month、host_month、platform_month、reason_month、quarter_users、decision_open、covered_month、decision_month、decision_tap、covered_tap、url_restriction；季度由整月构成，故结果精确）；linkaudit doctor 会从事件明细重新计算并指出任何差异。"
    ),
    .none: ("—", "—"),
    .complaintsByMonth: ("Complaints by principle and month", "各原则投诉数（按月）"),
    .openRateByScene: ("Open rate by scene", "分场景直接打开率"),
    .topDomains: ("Domains with most upheld complaints", "投诉成立最多的域名"),
    .restrictionsByCategory: ("Restrictions by category", "按类别的限制次数"),
    .pageFooter: ("&CPage &P of &N", "&C第 &P 页，共 &N 页"),
    .ratings: ("Platform ratings", "平台信用分级"),
    .ratingModel: ("Rating model", "评级模型"),
    .formula: ("Formula", "计算公式"),
    .score: ("Score", "得分"),
    .grade: ("Grade", "等级"),
    .explanation: ("Why", "说明"),
    .dataFingerprint: ("Data fingerprint (SHA-256 of the batch hashes)", "数据指纹（各批次哈希的 SHA-256）"),
    .signingKey: ("Signing key (SHA-256 of the public key)", "签名公钥指纹（SHA-256）"),
    .keyFindings: ("Key findings", "主要发现"),
    .needsAction: ("What needs action", "需要处理的事项"),
    .improvedBeyondInterval: ("What improved", "改善事项"),
    .finding: ("Finding", "事项"),
    .caseCount: ("Count", "数量"),
    .casesByID: ("Cases (ids)", "涉及编号"),
    .noneFound: ("None", "无"),
    .keyFindingsNote: (
      "Chosen by the rules of findings.yaml, each shown whether or not it finds anything. A rate counts as changed only when this quarter's and the last one's 95% intervals do not overlap; smaller moves are within the noise and are not listed. Every case is in the registers.",
      "本页事项按 findings.yaml 所列规则选出，无论有无均列示。比率仅在本季度与上季度的 95% 置信区间互不重叠时视为变化；更小的变动属于正常波动，不予列示。全部案例见各登记表。"
    ),
    .filerEntity: ("Reporting entity", "报送单位"),
    .creditCode: ("Unified social credit code", "统一社会信用代码"),
    .responsiblePerson: ("Responsible person", "负责人"),
    .contactPerson: ("Contact", "联系人"),
    .contactPhone: ("Telephone", "联系电话"),
    .contactEmail: ("Email", "电子邮箱"),
    .filerNotGiven: (
      "not given: no filer.yaml beside the database (report --filer FILE)", "未提供（数据库旁无报送单位信息文件 filer.yaml）"
    ),
    .declaration: ("Declaration", "声明"),
    .declarationText: (
      "We declare that the data and statements in this report are true, accurate and complete, with no false record, misleading statement or material omission, and we take responsibility for their truthfulness, accuracy and completeness.",
      "本单位承诺，本报告所载数据和情况真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏，并对其真实性、准确性和完整性承担责任。"
    ),
    .signature: ("Signature of the responsible person:", "负责人签字："),
    .seal: ("Seal of the entity:", "单位盖章："),
    .signedOn: ("Date:", "日期："),
    .ratingEvidence: ("Rating evidence", "评级依据"),
    .window: ("Window", "统计窗口"),
    .indicatorCosts: ("Each indicator, with its count and what it cost", "各项指标、计数及扣分"),
    .indicator: ("Indicator", "指标"),
    .count: ("Count", "计数"),
    .perTenThousandEvents: ("Per 10,000 events", "每万次事件"),
    .interval95: ("95% interval", "95% 区间"),
    .adjusted: ("Adjusted", "调整后"),
    .pointsLost: ("Points lost", "扣分"),
    .beyondEveryGraded: ("Beyond every graded platform", "超过所有已评级平台"),
    .yes: ("yes", "是"),
    .unregisteredMostUpheld: (
      "Unregistered domains (not graded): those with most upheld complaints", "未登记域名（不评级）：成立投诉最多者"
    ),
    .eventsCount: ("Events", "事件数"),
    .complaintsBehindV: ("Upheld complaints behind v (and s: principles 1-2)", "构成 v（及 s：原则1-2）的成立投诉"),
    .restrictionsBehindR: ("Restricted events behind r, by category", "构成 r 的限制事件（按类别）"),
    .opensBehindX: ("Events opened under a decision behind x", "构成 x 的处置后打开事件"),
    .allRegistered: ("All registered platforms", "全部已登记平台"),
    .eventsUnit: ("events", "次事件"),
    .marginDown: ("Down", "降级余量"),
    .marginDownNote: (
      "the fewest more upheld complaints (counted as principles 1-2, the costliest) that would cost a grade",
      "再增加多少件成立投诉（按代价最高的原则1-2计）将降一级"
    ),
    .marginUp: ("Up", "升级余量"),
    .marginUpNote: (
      "the fewest fewer, of those counted, that would gain one; blank where no number would",
      "减少多少件已计入的成立投诉可升一级；空白表示任何数量都不会改变等级"
    ),
    .eventsInWindow: ("Events in the window", "窗口内事件数"),
    .evidenceIDs: ("Evidence (ids)", "依据（编号）"),
    .notRated: (
      "Not rated: indicators with their 95% intervals on the annex's Rating evidence sheet",
      "未评级平台：各项指标及 95% 区间见附件“评级依据”"
    ),
    // The annexes beside the main workbook (issue 32).
    .annexTitle: ("Annex: the registers in full", "附件：各登记表全文"),
    .annexNote: (
      "Every register of the quarter in full, beside the main workbook and signed with it (manifest.json); each is also a CSV file of the package.",
      "本季度各登记表全文，与主报告同包报送并一同签名（manifest.json）；各表另以 CSV 文件随附。"
    ),
    .underRestrictedSheet: ("Under-restricted events", "处置宽于规范的事件"),
    .lateActionsSheet: ("Late actions", "滞后处置"),
    .overview: ("Overview", "概览"),
    .principle4More: ("Principle 4 (cont.)", "原则4（续）"),
    .principle4MoreTitle: (
      "Principle 4 (continued): open rate by scene, interconnection", "原则4（续）：分场景直接打开率与互联互通"
    ),
    .leastEnforcedFirst: (
      "the least enforced first, then the most taps", "执行率最低者在前，其次按覆盖点击数从多到少"
    ),
    .underADay: ("under a day", "不足1天"),
    .policyChangedNote: (
      "This quarter and the previous one were under different policy versions: a change of an event figure (the open rate, conformance, restrictions) holds the change of rules as well as of behaviour; the Rules in force sheet compares them version by version.",
      "本季度与上季度适用不同的规范版本：事件类指标（直接打开率、符合规范比例、限制等）的变化同时包含规则变化的影响；同口径比较见“适用规范”工作表。"
    ),
    .dataQualityInAnnex: (
      "The annex workbook's Data quality sheet lists every batch with its file's SHA-256, the rejected rows and every host that mixes scripts.",
      "附件工作簿“数据质量”工作表逐一列出各导入批次（含文件SHA-256）、拒收行及混用多种文字的主机名。"
    ),
    .overdueFirst: ("overdue first, the most days past the deadline first", "超期者在前，超期天数多者在前"),
    .lawfulFirst: ("principle 1 first, then by time", "原则1（内容合法）在前，其次按时间"),
    .principlesAtAGlance: ("The four principles", "各原则概况"),
    .rulesSheet: ("Rules in force", "适用规范"),
    .rulesNote: (
      "The rules this filing holds the quarter's events and complaints to: each version of the platform's External Link Content Management Standards in force in the quarter, from the day it took effect (a column each). An event is held to the version in force when it happened, a complaint to the version in force when it was received.",
      "本报告据以衡量本季度事件与投诉的规则：本季度内生效的《外部链接内容管理规范》各版本（每版一列，自生效之日起适用）。事件按发生时生效的版本衡量，投诉按受理时生效的版本衡量。"
    ),
    .treatmentByScene: ("Treatment by scene", "各场景的处置要求"),
    .treatmentByCategory: ("Treatment by content category", "各内容类别的处置要求"),
    .deadlineHours: ("Deadline to resolve a complaint (hours)", "投诉办理时限（小时）"),
    .anyOther: ("Any other (default)", "其他（默认）"),
    .openRatesByPlatformSheet: ("Open rates by platform", "分平台直接打开率"),
    .populationsPlain: (
      "E: the link events that happened in the period. C: the complaints received in the period, each in its latest imported state. Times are stored in UTC and shown in the report's time zone. A rate with an empty denominator has no value (—). Event figures are read from counts every import keeps; linkaudit doctor counts them afresh from the events and names any difference.",
      "事件：报告期内发生的外链点击事件。投诉：报告期内受理的投诉（按最新导入状态）。时间以协调世界时存储，按报告时区列示。分母为零的比率不给出数值（显示为“—”）。事件类指标读自每次导入时同步维护的汇总计数；本工具的自检命令可从事件明细重新计算并指出任何差异。"
    ),
    .sqlInMethodologyFile: (
      "The SQL of every figure, with its parameters in the report's time zone, is in methodology.en.md beside this workbook.",
      "各指标的编号、定义、SQL 及其参数（按报告时区）见本工作簿旁的方法说明文件 methodology.zh.md。"
    ),
    .methodologyFileTitle: ("Methodology: how each figure is computed", "方法说明：各指标的计算方法"),
    .methodologyFileNote: (
      "Each figure is one SQL query over the linkaudit database, run with the parameters below. Times are stored in UTC; each parameter is given in the report's time zone and as stored.",
      "每个指标均为对 linkaudit 数据库的一条 SQL 查询，以下列参数执行。时间以 UTC 存储；各参数同时给出报告时区下的时间和存储值。"
    ),
    .parameter: ("Parameter", "参数"),
    .inReportZone: ("In the report's time zone", "报告时区"),
    .storedUTC: ("As stored (UTC)", "存储值（UTC）"),
    .ratingsFigures: ("The ratings' figures and their evidence", "信用分级指标及其依据"),
    .evidenceSmallSheet: ("Evidence unregistered", "评级依据（未登记域名）"),
    .evidenceRSheet: ("Evidence r restrictions", "评级依据（r限制）"),
    .evidenceVSheet: ("Evidence v complaints", "评级依据（v投诉）"),
    .evidenceXSheet: ("Evidence x opens", "评级依据（x打开）"),
  ]
}

// MARK: - Issue 32: no English code in the Chinese workbook (branch s39-zh-codes)
// Every code the Chinese workbook used to print as it is, in words; the
// English workbook reads as before.
extension ReportLanguage {
  /// The batch name the built-in platform registry is stored under, as a reader names it.
  package func batchFileName(_ name: String) -> String {
    guard self == .zh, name == BuiltInPlatformRegistry.fileName else { return name }
    return "（内置平台名录）"
  }

  /// Every registered platform's counts and rates: in English by the
  /// formula's letters (`v 5 = 3.05`), in Chinese by the indicators' names,
  /// each letter as the symbol the formula defines (`成立投诉 5（v = 3.05）`).
  package func pooledRates(_ ratings: QuarterRatings) -> String {
    let pooled = ratings.model.observed(ratings.pooled)
    let parts = RatingIndicator.allCases.map { i in
      let count = ratings.pooled.indicatorCounts[i.rawValue].grouped
      let rate = RatingText.decimal(pooled[i.rawValue])
      return self == .zh ? "\(i.name(in: .zh)) \(count)（\(i.letter) = \(rate)）" : "\(i.letter) \(count) = \(rate)"
    }
    return "\(ratings.pooled.events.grouped) \(text(.eventsUnit))" + parts.map { clauseSeparator + $0 }.joined()
  }

  /// Why a platform is not rated, on one line: too few events, and the
  /// indicators on which it stands beyond every graded platform.
  package func notRatedWhy(_ r: PlatformRating, model: RatingModel) -> String {
    let few =
      self == .zh
      ? "窗口内事件数少于模型要求的 \(model.minEvents.grouped)"
      : "fewer than the \(model.minEvents.grouped) events the model requires"
    guard !r.flags.isEmpty else { return few }
    let flags = r.flags.map { $0.name(in: self) }.joined(separator: listSeparator)
    return few + clauseSeparator + labelled(self == .zh ? "超过所有已评级平台" : "beyond every graded platform", flags)
  }
}
