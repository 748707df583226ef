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
