import LinkAuditCore

/// The Methodology sheet's summary (issue 32): what each family of figures
/// counts, in words, on two pages. Each figure's own definition and SQL, with
/// its parameters in the report's zone, are in methodology.LANG.md; these
/// paragraphs say the same rules once for every principle.
extension ReportLanguage {
  struct SummaryParagraph {
    let en: (heading: String, text: String)
    let zh: (heading: String, text: String)
  }

  static let methodologySummary: [SummaryParagraph] = [
    SummaryParagraph(
      en: (
        "Period and time",
        "Every figure counts what happened in the report period, cut at midnight in the report's time zone; every time in the filing is in that zone. The previous quarter is cut the same way, and a change is narrated only when the two quarters' 95% intervals do not overlap."
      ),
      zh: (
        "报告期与时间",
        "各项指标统计报告期内发生的情况，报告期按报告时区的零时划分；本报告所列时间均为该时区时间。上季度按同一规则划分；仅当本季度与上季度的95%置信区间互不重叠时，才表述为变化。"
      )),
    SummaryParagraph(
      en: (
        "Link events and users",
        "A link event is one tap on an external link shared in a chat, with the action that followed: opened directly, warned and went on, warned and went back, or blocked. Users are counted by a keyed pseudonym, never by their id. The open rate is the events opened directly over all events."
      ),
      zh: (
        "外链点击事件与用户",
        "一次外链点击事件指用户点击聊天中分享的外部链接一次，及其后的处置：直接打开、提示后继续访问、提示后返回或拦截。用户按加密假名去重计数，不使用用户原始标识。直接打开率 = 直接打开的事件数 / 事件总数。"
      )),
    SummaryParagraph(
      en: (
        "Treatment against the rules",
        "Each event is compared with the treatment that the policy version in force when it happened prescribes for its scene and its content category (the stricter of the two; see the Rules in force sheet). An action as strict as prescribed conforms; a stricter one is over-restricted; a laxer one is under-restricted and is listed event by event."
      ),
      zh: (
        "处置与规范要求的比较",
        "每一事件的处置与事件发生时生效的规范版本对其场景及内容类别所规定的处置（取两者中较严者，见“适用规范”工作表）相比较：与要求一致为符合规范；严于要求为处置严于规范；宽于要求为处置宽于规范，逐一列出。"
      )),
    SummaryParagraph(
      en: (
        "Complaints",
        "Complaints are counted in the quarter they were received, under the principle of their category. The upheld rate is the upheld over the complaints resolved with an outcome other than duplicate. A rate over fewer than \(Figure.smallDenominator) cases carries its Wilson 95% interval."
      ),
      zh: (
        "投诉",
        "投诉按受理时间计入季度，按投诉类别归入原则。投诉成立率 = 成立数 / 已办结且非重复投诉的投诉数。分母少于\(Figure.smallDenominator)件的比率同时列出其95%置信区间（威尔逊区间法）。"
      )),
    SummaryParagraph(
      en: (
        "Time to resolve and deadlines",
        "The hours to resolve run from receipt to resolution; the median and the 90th percentile (nearest rank) are given. A complaint's deadline is its receipt plus the hours the policy in force at receipt allows. Deadlines met counts the complaints, received in any quarter, whose deadline fell in the quarter and that were resolved in time. Those still open past their deadline at the quarter's end are counted apart, beside the rate, never in it, and listed in the annex."
      ),
      zh: (
        "办理时长与办理期限",
        "办结时长为受理至办结的小时数，列出中位数与90分位数（最近秩法）。投诉的办理期限为受理时间加上受理时生效规范所定的时限。到期按时办结率统计本季度到期的投诉（不论何季度受理）中按时办结的比例；季末已超期仍未办结的投诉另行统计，列于该比率旁，不计入比率，明细见附件。"
      )),
    SummaryParagraph(
      en: (
        "Restrictions and time to action",
        "A principle's restrictions are the events warned or blocked for a content category of that principle. The time to action is measured URL by URL: from a URL's first event of any kind to its first restriction. The URLs restricted more than \(MetricCatalogue.lateActionHours) hours after first seen, and the direct opens before the action, are listed in the annex."
      ),
      zh: (
        "限制与处置时效",
        "某一原则的限制次数指因该原则所属内容类别而被提示或拦截的事件数。处置时效按URL计算：自该URL首次出现任何事件至首次受限的小时数。首次出现后超过\(MetricCatalogue.lateActionHours)小时才受限的URL及其受限前的直接打开次数，逐一列于附件。"
      )),
    SummaryParagraph(
      en: (
        "Decisions and their enforcement",
        "An upheld complaint's decision (block the URL, block the domain, warn on the URL) stands from one hour after its resolution until an upheld restore. Every tap on its URL or domain while it stands counts once. It is handled as decided when its action is at least as strict as the decision; it reached the page when it was opened or went on through a warning."
      ),
      zh: (
        "处置决定及其执行",
        "投诉成立后的处置决定（拦截URL、拦截域名、对URL提示）自办结后一小时起生效，至同一URL或域名的恢复决定成立时止。决定生效期间对该URL或域名的每次点击计一次；处置不宽于决定要求的，为按决定执行；直接打开或提示后继续访问的，为仍打开了目标页面。"
      )),
    SummaryParagraph(
      en: (
        "Regulator referrals",
        "Complaints referred by the regulator follow the same deadlines; those open at the quarter's end and past their deadline are named on the key findings page with the whole days they are overdue."
      ),
      zh: (
        "监管转办",
        "监管部门转办的投诉适用相同的办理期限；季末仍未办结且已超期的，在“主要发现”页逐一列出编号及超期整天数。"
      )),
    SummaryParagraph(
      en: (
        "Platform ratings",
        "Each registered platform is graded over the rating window by the rating model named on the Ratings sheet, whose formula and thresholds are printed there; a platform with fewer events than the model requires is not rated. The evidence behind each grade is in the annex."
      ),
      zh: (
        "平台信用分级",
        "每个已登记平台在评级窗口内按“平台信用分级”工作表所列评级模型评级，其计算公式及等级阈值见该表；窗口内事件数少于模型要求的平台不予评级。各等级的依据见附件。"
      )),
    SummaryParagraph(
      en: (
        "Data and where to find more",
        "The figures rest on the batches listed on the Data quality sheet, with their rejected rows. Every figure's id, definition and SQL, with its parameters in the report's zone, are in the methodology file of this package; its values are in metrics.csv, and every register is in full in the annex workbook and its CSV files, all signed with this workbook."
      ),
      zh: (
        "数据来源与详细说明",
        "各项指标依据“数据质量”工作表所列的导入批次及其拒收行计算。每项指标的编号、定义及SQL（参数按报告时区列出）见本报送包内的方法说明文件，数值见指标数据文件；各登记表全文见附件工作簿及其CSV文件，均与本工作簿一并签名。"
      )),
  ]
}
