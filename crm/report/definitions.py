"""What each figure of the month-end summary counts: one table the appendix, README and JSON share.

Every ratio names its numerator and denominator; a ratio whose denominator is zero is
"no data" (None), never 0% or 100%. Instants belong to the month of their store-local
date; "by month end" means before the first instant of the next month, store time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crm.models import ServiceType
from crm.vocabulary import names

# The 回访 the seed counts: 七日内电话回访, 三日内电话回访, 30日电话关怀.
CALLBACK_KINDS = ("sales_callback", "service_callback", "care_call")
# Reminders whose success is a car coming back for service.
REMINDER_SMS_KINDS = ("first_service_sms", "reminder_fallback")
REMINDER_CALL_KINDS = ("first_service_call", "maintenance_call")
ROUTINE_SERVICE = (ServiceType.FIRST_SERVICE, ServiceType.MAINTENANCE)  # 常规保养
REPAIRS = (ServiceType.REPAIR, ServiceType.WARRANTY)  # 故障维修
SATISFIED_FROM = 4  # 4 满意 and 5 非常满意
TOP_ISSUES = 5


class Unit(StrEnum):
    COUNT = "count"
    RATE = "rate"  # a fraction 0–1 in JSON, a percentage in text; compared in points
    HOURS = "hours"
    SCORE = "score"  # 1–5
    MONEY = "money"  # yuan


@dataclass(frozen=True)
class Definition:
    key: str
    unit: Unit
    zh: str
    en: str
    zh_text: str
    en_text: str


D = Definition
# fmt: off
DEFINITIONS: tuple[Definition, ...] = (
    D("calls_made", Unit.COUNT, "外呼电话", "Calls made",
      "本月拨出的电话次数（每次拨打记录一条，含未接通）。",
      "Outbound calls logged in the month, one per call made, answered or not."),
    D("calls_reached", Unit.COUNT, "接通电话", "Calls reached",
      "结果为“已接通”（与客户本人通话）的外呼次数。",
      "Calls whose outcome is reached (the customer was spoken to)."),
    D("reach_rate", Unit.RATE, "接通率", "Reach rate",
      "接通电话 ÷ 外呼电话。",
      "calls_reached ÷ calls_made."),
    D("callbacks_due", Unit.COUNT, "应回访", "Callbacks due",
      "到期日在本月的回访任务数（七日销售回访、三日售后回访、30日关怀），不含已取消的任务。",
      "Callback tasks (7-day sales callback, 3-day service callback, 30-day care call) due "
      "in the month, cancelled ones excluded."),
    D("callbacks_on_time", Unit.COUNT, "按时回访", "Callbacks on time",
      "应回访中，已完成且完成日期（门店时间）不晚于到期日的任务数。",
      "Of callbacks_due, those closed done on or before their due date (store time)."),
    D("callbacks_late", Unit.COUNT, "逾期完成回访", "Callbacks done late",
      "应回访中，已完成但完成日期晚于到期日的任务数。",
      "Of callbacks_due, those closed done after their due date."),
    D("callbacks_not_done", Unit.COUNT, "未完成回访", "Callbacks not done",
      "应回访中，未能完成的任务数：无法联系、号码错误，或到期后仍未回访。",
      "Of callbacks_due, those not done: the customer could not be reached, the number "
      "was wrong, or the call was still open after its due date."),
    D("callbacks_overdue", Unit.COUNT, "未按时回访", "Callbacks not on time",
      "逾期完成回访 + 未完成回访；月份结束后等于应回访 − 按时回访"
      "（当月报告中尚未到期的回访不计入）。",
      "callbacks_late + callbacks_not_done; once the month is over, callbacks_due − "
      "callbacks_on_time (in a month not yet over, open callbacks not yet due are neither)."),
    D("callback_on_time_rate", Unit.RATE, "回访及时率", "On-time callback rate",
      "按时回访 ÷ 应回访。",
      "callbacks_on_time ÷ callbacks_due."),
    D("satisfaction_rated", Unit.COUNT, "满意度评价", "Satisfaction ratings",
      "本月接通并记录了满意度（1–5 分）的电话数。",
      "Reached calls in the month with a satisfaction score (1–5)."),
    D("satisfaction_customers", Unit.COUNT, "评价客户数", "Customers who rated",
      "给出满意度评价的不同客户数（一位客户评价两次算一位）。",
      "Distinct customers behind satisfaction_rated (one customer rating twice is one)."),
    D("satisfaction_rate", Unit.RATE, "客户满意度", "Satisfaction rate",
      "评分为 4 分（满意）或 5 分（非常满意）的电话数 ÷ 满意度评价数。",
      "Ratings of 4 (satisfied) or 5 (very satisfied) ÷ satisfaction_rated."),
    D("satisfaction_avg", Unit.SCORE, "平均满意度评分", "Average satisfaction score",
      "满意度评价的平均分（满分 5 分）。",
      "Mean score of satisfaction_rated (out of 5)."),
    D("complaints_received", Unit.COUNT, "收到投诉", "Complaints received",
      "本月受理的投诉数。",
      "Complaints received in the month."),
    D("complaints_resolved", Unit.COUNT, "已解决投诉", "Complaints resolved",
      "本月受理的投诉中，月底前门店已解决（含客户已确认）且未被重新打开的数量。",
      "Of complaints_received, those the store had resolved (or the customer confirmed) "
      "by month end and that are not reopened."),
    D("resolution_rate", Unit.RATE, "投诉解决率", "Resolution rate",
      "已解决投诉 ÷ 收到投诉。",
      "complaints_resolved ÷ complaints_received."),
    D("avg_hours_to_first_response", Unit.HOURS, "平均首次响应时长", "Avg hours to first response",
      "本月受理且月底前已首次答复客户的投诉，从受理到首次答复的平均小时数。",
      "Mean hours from receipt to the first reply, over complaints received in the month "
      "and answered by month end."),
    D("avg_hours_to_resolution", Unit.HOURS, "平均解决时长", "Avg hours to resolution",
      "已解决投诉从受理到解决的平均小时数。",
      "Mean hours from receipt to resolution, over complaints_resolved."),
    D("complaints_late_response", Unit.COUNT, "首次答复超时", "Complaints answered late",
      "本月受理的投诉中，首次答复晚于答复时限（受理后 complaints.respond_within_hours，"
      "默认 24 小时），或时限在月内已过而月底前仍未答复的数量。",
      "Of complaints_received, those first answered after their response deadline "
      "(complaints.respond_within_hours after receipt, 24 by default), or not answered by "
      "month end when the deadline fell within the month."),
    D("complaints_late_resolution", Unit.COUNT, "解决超时", "Complaints resolved late",
      "本月受理的投诉中，解决晚于解决时限（受理后 complaints.resolve_within_days，"
      "默认 7 天），或时限在月内已过而月底前仍未解决的数量；已结案的投诉照样计入。",
      "Of complaints_received, those resolved after their resolution deadline "
      "(complaints.resolve_within_days after receipt, 7 by default), or not resolved by "
      "month end when the deadline fell within the month; closed ones included."),
    D("complaints_resolved_in_month", Unit.COUNT, "本月解决投诉（含往月）",
      "Complaints resolved in month",
      "解决时间在本月的投诉数，不论何时受理。",
      "Complaints resolved in the month, whenever they were received."),
    D("complaints_open_at_month_end", Unit.COUNT, "月底未解决投诉", "Complaints open at month end",
      "月底前受理（含以前月份）、月底时仍未解决的投诉数。",
      "Complaints received by month end (in any month) and not resolved by then."),
    D("service_visits", Unit.COUNT, "维修保养车辆", "Service visits",
      "进厂日期在本月的工单数（辆次、人次）。",
      "Repair orders whose visit date is in the month (vehicle visits)."),
    D("customers_new", Unit.COUNT, "新客户进厂", "New customers' visits",
      "本月工单中，客户此前从未在本店进厂的辆次。",
      "Of service_visits, those by customers with no earlier visit at the store."),
    D("customers_returning", Unit.COUNT, "老客户进厂", "Returning customers' visits",
      "本月工单中，客户此前在本店进过厂的辆次。",
      "Of service_visits, those by customers who had visited the store before."),
    D("service_revenue", Unit.MONEY, "维修收入", "Service revenue",
      "本月工单金额合计（元；正文满一万元时以万元表示）；没有任何工单记录金额时为无数据。",
      "Sum of the month's repair-order amounts (yuan); no data when no order has one."),
    D("reminders_sent", Unit.COUNT, "首保/定保提醒", "Reminders sent",
      "本月发出的首保提醒短信、未接通后的补发短信，加上接通的首保邀约和定保提醒电话。",
      "First-service and fallback reminder SMS sent in the month, plus reached "
      "first-service and maintenance reminder calls."),
    D("reminders_vehicles", Unit.COUNT, "提醒车辆", "Vehicles reminded",
      "本月收到上述提醒的不同车辆数。",
      "Distinct vehicles that got one of those reminders in the month."),
    D("reminders_converted", Unit.COUNT, "提醒后回厂", "Reminders converted",
      "提醒车辆中，在本月首次提醒当天起、{window} 天内有首保或保养工单的车辆数"
      "（按生成报告时已录入的工单统计）。",
      "Of reminders_vehicles, those with a first-service or maintenance visit from the day "
      "of their first reminder in the month to {window} days after (visits logged "
      "when the report is made)."),
    D("reminder_conversion_rate", Unit.RATE, "提醒转化率", "Reminder conversion rate",
      "提醒后回厂 ÷ 提醒车辆。",
      "reminders_converted ÷ reminders_vehicles."),
    D("sms_sent", Unit.COUNT, "发送短信", "SMS sent",
      "本月交给短信服务商发出的短信条数。",
      "Messages handed to the SMS provider in the month."),
    D("sms_delivered", Unit.COUNT, "成功送达", "SMS delivered",
      "发送短信中，服务商回报已送达的条数。",
      "Of sms_sent, those the provider reports delivered."),
    D("sms_failed", Unit.COUNT, "发送失败", "SMS failed",
      "本月发送失败或未送达的短信条数（含服务商直接拒绝的）。",
      "Messages that failed or were undelivered in the month (including those the "
      "provider refused outright)."),
    D("delivery_rate", Unit.RATE, "短信送达率", "SMS delivery rate",
      "成功送达 ÷ 发送短信中能回报送达的条数；经控制台发送（console，不回报送达）的不计，"
      "全部经控制台发送时为无数据。",
      "sms_delivered ÷ the messages of sms_sent whose provider reports delivery; those "
      "printed by the console backend (which cannot) are left out, so it is no data when "
      "all were."),
    D("opt_outs", Unit.COUNT, "短信退订", "Opt-outs",
      "本月撤回短信同意的客户数：电话中要求、短信回复退订、手工退订、服务商报告拒收"
      "（如 21610），或 DMS 导出由“是”改为“否”；导入时即为“否”的客户不算退订。",
      "Customers who withdrew SMS consent in the month: on a call, by an SMS reply, by "
      "`sms optout`, by a provider's refusal (21610 …), or by an export turning yes into "
      "no; customers first imported with no never opted out."),
    D("inquiries", Unit.COUNT, "咨询电话", "Inquiries",
      "本月接听的客户咨询电话数。",
      "Inbound inquiry calls answered in the month."),
    D("leads", Unit.COUNT, "潜在客户信息", "Leads",
      "本月咨询电话中，陌生号码登记为潜在客户的条数。",
      "Inquiries in the month whose unknown caller became a lead."),
    D("referrals", Unit.COUNT, "转介绍客户", "Referrals",
      "本月新建档、登记了介绍人的客户数。",
      "Customers added in the month with a referrer recorded."),
)
# fmt: on
BY_KEY = {d.key: d for d in DEFINITIONS}

BREAKDOWNS = {
    "calls_by_day": ("每日外呼与接通率", "Calls and reach rate by day"),
    "satisfaction_trend": ("近 12 个月客户满意度", "Satisfaction, last 12 months"),
    "callbacks_by_kind": ("回访（按类型）", "Callbacks by kind"),
    "complaints_by_category": ("投诉分类", "Complaints by category"),
    "complaints_by_department": ("投诉责任部门", "Complaints by department"),
    "service_visits_by_type": ("进厂类型", "Service visits by type"),
    "reminder_funnel": ("提醒到回厂", "Reminder to visit"),
    "sms_by_kind": ("短信（按类型）", "SMS by kind"),
    "inquiries_by_topic": ("咨询电话（按主题）", "Inquiries by topic"),
    "per_agent": ("客服专员", "Per agent"),
    "top_issues": ("客户反映的主要问题", "Top issues customers raised"),
}


def name(code: str, locale: str) -> str:
    """The display name of a stored code (category, kind, topic…) in `locale`."""
    return names.name(code, locale)


def label(key: str, locale: str) -> str:
    if key in BY_KEY:
        return BY_KEY[key].zh if locale == "zh_CN" else BY_KEY[key].en
    zh, en = BREAKDOWNS[key]
    return zh if locale == "zh_CN" else en


def text(key: str, locale: str, window: int = 30) -> str:
    """The definition of figure `key`; `window` is the reminder conversion window in days."""
    definition = BY_KEY[key]
    words = definition.zh_text if locale == "zh_CN" else definition.en_text
    return words.replace("{window}", str(window))


def markdown_table(locale: str = "en", window: int = 30) -> str:
    """The definitions as a Markdown table (README and `crm report definitions`)."""
    lines = ["| key | figure | definition |", "|---|---|---|"]
    for d in DEFINITIONS:
        lines.append(f"| `{d.key}` | {label(d.key, locale)} | {text(d.key, locale, window)} |")
    return "\n".join(lines)
