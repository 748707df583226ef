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
    # --- Imports, campaigns and SMS (the manager's /imports, /campaigns, /sms) ---
    "imports_title": ("导入DMS数据", "Import DMS data"),
    "import_kind": ("数据类型", "What the file holds"),
    "kind_customers": ("客户资料", "Customers"),
    "kind_vehicles": ("车辆", "Vehicles"),
    "kind_visits": ("进店记录（工单）", "Service visits (repair orders)"),
    "import_file": ("文件", "File"),
    "import_file_hint": (
        "CSV（UTF-8 或 GB18030 编码）或 Excel .xlsx，最大 {mb} MB。先试导入，确认后才保存。",
        "CSV (UTF-8 or GB18030) or Excel .xlsx, up to {mb} MB. A dry run comes first; "
        "nothing is saved until you confirm.",
    ),
    "dry_run_button": ("试导入（只检查，不保存）", "Check it (a dry run: saves nothing)"),
    "import_history": ("导入记录", "Import history"),
    "at": ("时间", "When"),
    "actor": ("操作人", "Who"),
    "rows": ("行数", "Rows"),
    "count_new": ("新增", "New"),
    "count_updated": ("更新", "Updated"),
    "count_unchanged": ("未变", "Unchanged"),
    "count_rejected": ("拒绝", "Rejected"),
    "no_imports": ("还没有导入记录。", "No imports yet."),
    "import_running": ("有一个导入正在进行：{name}", "An import is running: {name}"),
    "checking": ("正在检查 {name}……", "Checking {name}…"),
    "importing": ("正在导入 {name}……", "Importing {name}…"),
    "progress": ("进度", "Progress"),
    "reading_file": ("正在读取文件……", "Reading the file…"),
    "dry_run_done": (
        "试导入完成：以下是导入的结果，尚未保存任何数据。",
        "Dry run done: this is what the import would do; nothing is saved yet.",
    ),
    "import_done": ("导入完成。", "Imported."),
    "import_failed": ("未能导入：", "The import stopped: "),
    "try_another": ("重新选择文件", "Choose another file"),
    "first_rejects": ("前{n}条被拒绝的行", "The first {n} rejected rows"),
    "row": ("行号", "Row"),
    "reason": ("原因", "Reason"),
    "row_cells": ("该行内容", "The row"),
    "download_rejects": (
        "下载全部{n}条被拒绝的行（CSV）",
        "Download all {n} rejected rows (CSV)",
    ),
    "confirm_import": ("确认导入（{n}行）", "Import now ({n} rows)"),
    "discard": ("放弃", "Discard"),
    "back_to_imports": ("返回导入", "Back to imports"),
    "choose_kind": ("请选择数据类型。", "Choose what the file holds."),
    "choose_file": (
        "请选择要导入的 .csv 或 .xlsx 文件。",
        "Choose a .csv or .xlsx file to import.",
    ),
    "wrong_type": (
        "只能导入 .csv 或 .xlsx 文件；旧版 .xls 请在 Excel 中另存为 .xlsx。",
        "Only .csv and .xlsx files can be imported; save an old .xls as .xlsx in Excel.",
    ),
    "too_large": (
        "文件超过 {mb} MB，请拆分后分批导入。",
        "The file is over {mb} MB; split it and import the parts one by one.",
    ),
    "empty_file": ("文件是空的。", "The file is empty."),
    "busy_import": (
        "本店已有一个导入正在进行，请等它完成。",
        "An import is already running for this store; wait for it to finish.",
    ),
    "campaigns_title": ("活动", "Campaigns"),
    "template_service_festival": ("服务节", "Service festival"),
    "template_car_care_class": ("爱车养护课堂", "Car-care class"),
    "new_campaign": ("新建活动", "New campaign"),
    "campaign_name": ("活动名称", "Name"),
    "sms_template": ("短信模板", "SMS template"),
    "segment_models": ("车型（都不选为全部车型）", "Models (none ticked: every model)"),
    "min_age": ("车龄至少（月）", "Car at least (months old)"),
    "max_age": ("车龄至多（月）", "Car at most (months old)"),
    "no_visit_since": ("此日期起未进店", "No visit since"),
    "visited_since": ("此日期起进过店", "Visited since"),
    "consent": ("短信许可", "Consent"),
    "consent_any": ("不限", "Any"),
    "consent_sms": ("同意服务短信", "SMS consent"),
    "consent_marketing": ("同意营销短信", "Marketing consent"),
    "with_calls": ("同时安排邀约电话", "Also put an invitation call on the list"),
    "call_days": ("邀约电话期限（天）", "Days the call stays due"),
    "audience": ("符合条件的客户", "Customers in the segment"),
    "samples": ("示例客户", "Sample customers"),
    "sms_text": ("短信内容", "The message"),
    "text_measure": (
        "{characters}字 · {encoding} · {segments}条计费短信（每条{per}字）",
        "{characters} characters · {encoding} · {segments} segments ({per} a segment)",
    ),
    "cost": (
        "预计费用：约 {amount} {unit}（按近90天每条 {per} 计）",
        "Estimated cost: about {amount} {unit} (at {per} a segment, the last 90 days' price)",
    ),
    "no_price": (
        "暂无短信计费记录，无法估算费用。",
        "No price recorded yet, so no cost estimate.",
    ),
    "lint_ok": ("检查通过", "OK"),
    "review": ("检查并确认", "Review and confirm"),
    "confirm_title": ("确认启动活动", "Confirm the launch"),
    "will_queue": ("将排队", "Would queue"),
    "will_skip": ("将跳过", "Would skip"),
    "nothing": ("无", "nothing"),
    "launch": ("确认启动", "Launch"),
    "change": ("返回修改", "Change"),
    "launched": (
        "活动“{name}”已启动：已排队 {sms} 条短信、{calls} 个电话。",
        "Campaign {name} launched: {sms} messages and {calls} calls queued.",
    ),
    "campaign_list": ("已启动的活动", "Campaigns launched"),
    "launched_on": ("启动日期", "Launched"),
    "segment": ("客户范围", "Segment"),
    "sms_count": ("短信", "SMS"),
    "call_count": ("电话", "Calls"),
    "no_campaigns": ("还没有活动。", "No campaigns yet."),
    "everyone": ("全部客户", "every customer"),
    "months_needed": ("请填写整数月数，例如 12。", "Give whole months, e.g. 12."),
    "days_needed": ("请填写0-60之间的整数天数。", "Give a whole number of days from 0 to 60."),
    "date_needed": ("请按 2026-03-01 的格式填写日期。", "Give the date as 2026-03-01."),
    "sms_outbox": ("发件箱", "Outbox"),
    "sms_templates": ("短信模板", "Templates"),
    "sms_optouts": ("退订", "Opt-outs"),
    "status": ("状态", "Status"),
    "all_statuses": ("全部状态", "All statuses"),
    "kind": ("类型", "Kind"),
    "queued_on": ("入队日期", "Queued on"),
    "phone": ("手机号", "Phone"),
    "filter": ("筛选", "Filter"),
    "send_after": ("发送时间", "Send after"),
    "error": ("错误", "Error"),
    "total_messages": ("共{n}条", "{n} messages"),
    "no_messages": ("没有符合条件的短信。", "No message matches."),
    "message_title": ("短信 #{id}", "Message #{id}"),
    "body": ("内容", "Text"),
    "planned_for": ("应发日期", "Owed on"),
    "provider_id": ("服务商编号", "Provider's id"),
    "attempts": ("发送次数", "Attempts"),
    "price": ("费用", "Price"),
    "queued_at": ("入队时间", "Queued"),
    "sent_at": ("发送时间", "Sent"),
    "delivered_at": ("送达时间", "Delivered"),
    "expires_at": ("过期时间", "Expires"),
    "category": ("类别", "Category"),
    "source": ("来源", "Source"),
    "characters": ("字数", "Characters"),
    "encoding": ("编码", "Encoding"),
    "segments": ("计费条数", "Segments"),
    "add_opt_out": ("登记退订", "Record an opt-out"),
    "opt_out_phone": ("客户手机号", "Customer's phone"),
    "opted_out": (
        "已登记退订：{phone}（{customers}位客户，取消了{cancelled}条待发短信）。",
        "Opted out: {phone} ({customers} customers, {cancelled} queued messages cancelled).",
    ),
    "no_opt_outs": ("没有退订的客户。", "No customer has opted out."),
    "opt_out_total": ("共{n}位客户拒收短信", "{n} customers refuse SMS"),
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
    # --- Imports, campaigns and SMS (the manager's /imports, /campaigns, /sms) ---
    (r"(.+); give a number like 138 0013 8000", "号码无效，请输入如 138 0013 8000 的号码"),
    (
        r"no customer of this store has the number (\S+); .*",
        r"本店没有号码为\1的客户，请在客户列表中核对",
    ),
    (
        r"campaign '(.+)' was already launched; choose another name",
        r"活动“\1”已启动过，请换一个名称",
    ),
    (
        r"no car is at least (\d+) and at most (\d+) months old; swap the two",
        r"车龄不可能既至少\1个月又至多\2个月，请对调两个数",
    ),
    (
        r"(.+) is neither UTF-8 nor GB18030 text; .*",
        r"\1 既不是 UTF-8 也不是 GB18030 编码，请另存为 CSV",
    ),
    (r"(.+) is empty: no header row", r"\1 是空文件：没有表头行"),
    (
        r"(.+) has no column for (.+); is this a (\S+) file\?",
        r"\1 缺少这些列：\2。数据类型选对了吗？",
    ),
    (r"(.+) is not a readable \.xlsx file \((.*)\)", r"\1 不是可读取的 .xlsx 文件（\2）"),
    (r"missing phone", "缺少手机号"),
    (r"missing name", "缺少姓名"),
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
