"""The pages' own words, Chinese by default and English by configuration (store.locale)."""

from __future__ import annotations

WORDS = {
    "title": ("客服回访台", "Follow-up desk"),
    # The manager's pages: the navigation; each page's own words follow in its block below.
    "dashboard": ("总览", "Dashboard"),
    "nav_agents": ("坐席", "Agents"),
    "nav_imports": ("导入", "Imports"),
    "nav_campaigns": ("活动", "Campaigns"),
    "nav_sms": ("短信", "SMS"),
    "nav_reports": ("月报", "Reports"),
    "nav_audit": ("操作记录", "Audit"),
    "nav_users": ("用户", "Users"),
    "login": ("登录", "Sign in"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "logout": ("退出", "Sign out"),
    "my_day": ("我的今日", "My day"),
    "store_day": ("今日回访", "Today's calls"),
    "search": ("搜索", "Search"),
    "search_hint": ("电话、车牌、姓名或VIN", "Phone, plate, name or VIN"),
    "due": ("待回访", "Due"),
    "overdue": ("已逾期", "Overdue"),
    "done_today": ("今日已拨", "Done today"),
    "all_kinds": ("全部类型", "All kinds"),
    "call": ("回访", "Call"),
    "customer": ("客户", "Customer"),
    "vehicle": ("车辆", "Vehicle"),
    "due_date": ("截止日期", "Due"),
    "days_overdue": ("逾期{n}天", "{n} days overdue"),
    "tries": ("已拨{n}次", "{n} tries"),
    "last_result": ("上次结果", "Last result"),
    "why": ("原因", "Why"),
    "held_by": ("{name} 正在拨打", "Being called by {name}"),
    "no_calls": ("今天没有待回访的电话。", "No calls due today."),
    "page": ("第{page}/{pages}页", "Page {page} of {pages}"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "pick_call": (
        "从左侧选择一个回访（按 J 打开第一个）。",
        "Pick a call on the left (J opens the first).",
    ),
    "say": ("话术", "What to say"),
    "notes": ("客户备注", "Notes"),
    "occupation": ("职业", "Occupation"),
    "hobbies": ("爱好", "Hobbies"),
    "family": ("家庭", "Family"),
    "vehicles": ("车辆", "Vehicles"),
    "model": ("车型", "Model"),
    "plate": ("车牌", "Plate"),
    "delivery": ("交车日期", "Delivered"),
    "last_visit": ("最近进店", "Last visit"),
    "last_mileage": ("最近里程", "Last mileage"),
    "maintenance_due": ("预计保养日", "Maintenance due"),
    "pace": ("约{pace}公里/天", "about {pace} km/day"),
    "visits": ("进店记录", "Visits"),
    "calls": ("回访记录", "Calls"),
    "messages": ("短信记录", "Messages"),
    "complaints": ("投诉", "Complaints"),
    "open_calls": ("未完成的回访", "Open calls"),
    "sms_consent": ("短信许可", "SMS consent"),
    "allowed": ("可发", "allowed"),
    "refused": ("不可发", "refused"),
    "result": ("回访结果", "Result"),
    "outcome": ("结果", "Outcome"),
    "satisfaction": ("满意度", "Satisfaction"),
    "mileage": ("当前里程（公里）", "Mileage (km)"),
    "force": ("确认低于上次里程", "Accept a mileage below the last reading"),
    "note": ("备注", "Note"),
    "tags": ("标签（逗号分隔）", "Tags (comma-separated)"),
    "complaint": ("投诉类别", "Complaint category"),
    "no_complaint": ("无投诉", "No complaint"),
    "complaint_text": ("投诉内容", "Complaint text"),
    "callback_at": ("约定回拨时间", "Call back at"),
    "opt_out": ("客户拒收短信", "The customer wants no more SMS"),
    "solved": ("客户确认已解决？", "Does the customer confirm it is solved?"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "save_next": ("保存并下一个", "Save and next"),
    "saved": ("已保存：{what}", "Saved: {what}"),
    "list_done": ("列表已全部完成。", "The list is done."),
    "closed_call": ("此回访已关闭（{status}）。", "This call is closed ({status})."),
    "keys": ("快捷键", "Keyboard"),
    "results_for": ("搜索结果", "Results"),
    "nothing_found": ("没有找到客户。", "No customer found."),
    "log_inquiry": ("登记来电咨询", "Log an inbound inquiry"),
    "caller_phone": ("来电号码", "Caller's phone"),
    "caller_name": ("来电人姓名", "Caller's name"),
    "topic": ("咨询内容", "Topic"),
    "inquiry_logged": ("来电已登记。", "Inquiry logged."),
    "lead": ("潜在客户", "Lead"),
    "not_found": ("没有这个页面。", "There is no such page."),
    "back": ("返回今日列表", "Back to the day's list"),
    "forbidden": (
        "请求被拒绝：请从本系统的页面提交。",
        "Refused: submit from this console's own pages.",
    ),
    "manager_only": ("此页面仅限经理使用。", "This page is for the store's manager."),
    "phone_invalid": ("（号码无效）", "(invalid number)"),
    "store": ("门店", "Store"),
    # -- The manager's complaints (/complaints, /complaints/ID) and audit (/audit) pages ----
    "case_open_count": ("未解决", "Open"),
    "case_status": ("状态", "Status"),
    "case_status_all": ("全部", "All"),
    "case_overdue_only": ("只看已逾期", "Overdue only"),
    "case_show": ("显示", "Show"),
    "case_complaint_no": ("投诉 #{id}", "Complaint #{id}"),
    "case_category": ("投诉类别", "Category"),
    "case_department": ("责任部门", "Department"),
    "case_owner": ("负责人", "Owner"),
    "case_no_owner": ("未指定", "Nobody"),
    "case_received_at": ("受理时间", "Received"),
    "case_respond_by": ("首次响应期限", "Respond by"),
    "case_first_response_at": ("首次响应", "First response"),
    "case_resolve_by": ("解决期限", "Resolve by"),
    "case_resolved_at": ("解决时间", "Resolved"),
    "case_confirmed_at": ("客户确认", "Confirmed"),
    "case_times_in_zone": ("时间均为门店时间（{zone}）", "Times are the store's ({zone})"),
    "case_late_no_response": ("超时未响应", "no response in time"),
    "case_late_not_resolved": ("超时未解决", "not resolved in time"),
    "case_no_complaints": ("没有符合条件的投诉。", "No complaints match."),
    "case_timeline": ("处理经过", "Timeline"),
    "case_event_received": ("受理投诉", "Received"),
    "case_event_routed": ("转至", "Routed to"),
    "case_event_owner": ("负责人改为", "Owner now"),
    "case_event_progress_call": ("跟进电话", "Progress call"),
    "case_event_confirmation_call": ("确认回访", "Confirmation call"),
    "case_event_note": ("跟进记录", "Progress note"),
    "case_event_resolved": ("门店已解决", "Resolved"),
    "case_event_confirmed": ("客户确认已解决", "The customer confirmed it solved"),
    "case_event_reopened": (
        "客户表示未解决，重新处理",
        "The customer said it is not solved: reopened",
    ),
    "case_add_note": ("添加跟进记录", "Add a progress note"),
    "case_route": ("转派", "Route"),
    "case_route_to": ("转派部门或负责人", "Another department or owner"),
    "case_unchanged": ("不变", "Unchanged"),
    "case_resolve": ("标记为已解决", "Resolve"),
    "case_resolution": ("处理结果", "Resolution"),
    "case_resolve_hint": (
        "保存后跟进电话停止，并生成一个向客户确认的回访。",
        "The progress calls stop and a call to confirm with the customer comes due.",
    ),
    "case_done_note": ("跟进记录已添加。", "Note added."),
    "case_done_route": ("已转派。", "Routed."),
    "case_done_resolve": (
        "已标记为已解决，确认回访已生成。",
        "Resolved; a confirmation call is due.",
    ),
    "audit_action": ("操作类型", "Action"),
    "audit_all_actions": ("全部操作", "All actions"),
    "audit_at": ("时间", "When"),
    "audit_actor": ("操作人", "Who"),
    "audit_subject": ("对象", "About"),
    "audit_changes": ("变更内容", "What changed"),
    "audit_none": ("没有操作记录。", "Nothing recorded."),
    "audit_newest": ("最新", "Newest"),
    "audit_older": ("更早", "Older"),
    "audit_act_customer_phone": ("修改客户电话", "Phone changed"),
    "audit_act_consent": ("短信许可变更", "Consent changed"),
    "audit_act_customer_status": ("客户状态变更", "Customer status changed"),
    "audit_act_reassign": ("重新分配回访", "Calls reassigned"),
    "audit_act_agent_active": ("坐席启用/停用", "Agent activated or deactivated"),
    "audit_act_complaint_resolve": ("投诉解决", "Complaint resolved"),
    "audit_act_complaint_route": ("投诉转派", "Complaint routed"),
    "audit_act_campaign": ("发起活动", "Campaign launched"),
    "audit_act_import": ("导入数据", "File imported"),
    "audit_act_user": ("账号变更", "Login changed"),
    "audit_act_call_correction": ("更正回访结果", "Call result corrected"),
    "audit_key_sms_consent": ("短信许可", "SMS consent"),
    "audit_key_marketing_consent": ("营销短信许可", "Marketing consent"),
    "audit_key_source": ("来源", "Source"),
    "audit_key_department": ("责任部门", "Department"),
    "audit_key_agent": ("负责人", "Owner"),
    "audit_key_resolution": ("处理结果", "Resolution"),
    "audit_key_phone": ("电话", "Phone"),
    "audit_source_call": ("回访电话", "a call"),
    "audit_source_manual": ("人工登记", "entered by staff"),
    "audit_source_phone": ("电话告知", "by phone"),
    "audit_source_sms reply": ("短信回复", "an SMS reply"),
    "audit_of_customer": ("操作记录", "Changes recorded"),
    # The customer's page: the SMS replies the providers' webhooks and `sms sync` record.
    "sms_replies": ("短信回复", "SMS replies"),
    "reply_opted_out": ("已退订", "Opted out"),
}
OUTCOMES = {
    "reached": ("接通", "Reached", "r"),
    "no_answer": ("无人接听", "No answer", "n"),
    "busy": ("占线", "Busy", "b"),
    "wrong_number": ("号码错误", "Wrong number", "w"),
    "declined": ("拒绝回访", "Declined", "d"),
    "callback_later": ("约定回拨", "Call back later", "l"),
}
# Stored states as the pages say them in Chinese (English reads the codes themselves).
STATES = {
    "open": "待处理",
    "done": "已完成",
    "unreachable": "未联系上",
    "cancelled": "已取消",
    "queued": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "delivered": "已送达",
    "failed": "失败",
    "undelivered": "未送达",
    "resolved": "已解决",
    "closed": "已关闭",
    "in_progress": "处理中",
    **{outcome: said[0] for outcome, said in OUTCOMES.items()},
}
KEYS = [
    (
        "R N B W D L",
        (
            "选择结果：接通、无人接听、占线、号码错误、拒绝、约定回拨",
            "Outcome: reached, no answer, busy, wrong number, declined, call back later",
        ),
    ),
    ("1 – 5", ("满意度", "Satisfaction")),
    ("M", ("填写里程", "Mileage")),
    ("E", ("填写备注", "Note")),
    ("C", ("投诉类别", "Complaint category")),
    ("O", ("客户拒收短信", "Opt-out")),
    ("Ctrl+Enter", ("保存并打开下一个", "Save and open the next call")),
    ("J / K", ("下一个 / 上一个回访", "Next / previous call")),
    ("/", ("搜索", "Search")),
    ("Esc", ("离开输入框、关闭帮助", "Leave the field, close help")),
    ("?", ("显示快捷键", "Show these keys")),
]


# The sentences an agent meets most, in Chinese; the core speaks English, and any sentence
# not listed here shows as the core said it.
SENTENCES = [
    (r"wrong user name or password", "用户名或密码错误"),
    (
        r"too many failed logins for this name; wait (\d+) minutes.*",
        r"该账号登录失败次数过多，请等待\1分钟或请主管重置密码",
    ),
    (r"this login is disabled; ask your manager", "此账号已停用，请联系主管"),
    (r"choose the call's outcome", "请选择回访结果"),
    (r"satisfaction is only for a customer reached on the call", "只有接通的客户才能评满意度"),
    (r"satisfaction (\S+) is outside 1-5.*", r"满意度\1超出1-5分"),
    (r"satisfaction must be a rating from 1 to 5", "满意度请填1-5分"),
    (r"mileage must be the odometer in whole kilometres", "里程请填整数公里"),
    (
        r"(a mileage|a complaint|an opt-out) needs the outcome reached.*",
        "需要先选择“接通”：只有接通的客户才能提供",
    ),
    (r"a complaint needs its text: what the customer said", "请填写投诉内容：客户的原话"),
    (
        r"callback_later needs the time to call back.*",
        "约定回拨需要填写回拨时间，例如 2026-03-12 15:00",
    ),
    (
        r"give the time to call back as a date and a time.*",
        "回拨时间请写成日期和时间，例如 2026-03-12 15:00",
    ),
    (r"the time to call back must be in the future", "回拨时间必须晚于现在"),
    (
        r"mileage (\d+) km is below the last reading (\d+) km.*",
        r"里程\1公里低于上次记录的\2公里；请核对，确认无误请勾选“确认低于上次里程”",
    ),
    (r"task \d+ is being called by (.+); nothing logged", r"\1 正在拨打此回访，未保存"),
    (r"task \d+ is already (\S+) .*", "此回访已关闭，未保存"),
    (
        r"(.+); give the caller's number, e.g. 13812345678",
        "来电号码无效，请输入如 13812345678 的号码",
    ),
    # The complaints and audit pages.
    (r"write the note: what was done or learnt", "请填写跟进记录：做了什么或了解到什么"),
    (r"a note is at most (\d+) characters; this one has (\d+)", r"跟进记录最多\1个字，当前\2个字"),
    (r"say how it was resolved", "请填写处理结果：门店是如何解决的"),
    (r"choose a department or an owner", "请选择新的责任部门或负责人"),
    (r"unknown department .*", "没有这个责任部门，请从列表中选择"),
    (r"agent (\S+) is inactive; choose an active agent", r"坐席\1已停用，请选择在岗的坐席"),
    (
        r"the complaint already has that department and owner; nothing changed",
        "部门和负责人未变，未保存",
    ),
    (
        r"complaint \d+ is closed: the customer confirmed it solved",
        "此投诉客户已确认解决，不能再转派",
    ),
    (
        r"complaint \d+ is (\S+), not open; only an open complaint can be resolved",
        "此投诉已解决，不能重复解决",
    ),
    (r"unknown status .*", "没有这个状态，请从列表中选择"),
    (r"unknown action .*", "没有这种操作类型，请从列表中选择"),
]


def said(sentence: str, locale: str) -> str:
    """A core sentence in the store's language, where we have its words."""
    if locale != "zh_CN":
        return sentence
    import re

    for pattern, chinese in SENTENCES:
        if re.fullmatch(pattern, sentence):
            return re.sub(pattern, chinese, sentence)
    return sentence


def words(locale: str):
    """`t(key, **values)` for templates, in `locale`."""
    index = 0 if locale == "zh_CN" else 1

    def t(key: str, **values) -> str:
        phrase = WORDS[key][index]
        return phrase.format(**values) if values else phrase

    return t


def outcome_words(locale: str) -> list[tuple[str, str, str]]:
    """(outcome, its name, its key) in the order the form shows them."""
    index = 0 if locale == "zh_CN" else 1
    return [(name, said[index], said[2]) for name, said in OUTCOMES.items()]


def status_word(code: str, locale: str) -> str | None:
    """A stored state or outcome in the store's words, where the pages have one."""
    return STATES.get(code) if locale == "zh_CN" else None


def key_help(locale: str) -> list[tuple[str, str]]:
    index = 0 if locale == "zh_CN" else 1
    return [(keys, said[index]) for keys, said in KEYS]
