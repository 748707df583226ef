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
    # Manager: dashboard, agents, reports, users (h-dash).
    "admin_only": ("此页面仅限系统管理员使用。", "This page is for administrators."),
    "pick_store": ("查看门店", "Store"),
    "show": ("查看", "Show"),
    "today_agents": ("今日坐席", "Today per agent"),
    "agent": ("坐席", "Agent"),
    "unassigned": ("未分配", "Unassigned"),
    "inactive_mark": ("（已停用）", " (inactive)"),
    "open_today": ("待回访", "Open"),
    "done_today_short": ("今日已拨", "Done"),
    "month_on_time": (
        "本月回访及时率（{month}，截至今日）",
        "On time this month ({month}, so far)",
    ),
    "cadence": ("回访类型", "Cadence"),
    "due_in_month": ("应回访", "Due"),
    "on_time": ("按时完成", "On time"),
    "on_time_rate": ("及时率", "On-time rate"),
    "all_cadences": ("合计", "All"),
    "satisfaction_month": ("本月满意度", "Satisfaction this month"),
    "satisfaction_vs": (
        "上月（{month}）{rate}，变化 {change}",
        "last month ({month}) {rate}, change {change}",
    ),
    "rated_calls": ("{n}次评分", "{n} rated calls"),
    "no_data": ("—", "—"),
    "points": ("{n}个百分点", "{n} points"),
    "open_complaints": ("未结投诉", "Open complaints"),
    "owner": ("负责人", "Owner"),
    "total": ("合计", "Total"),
    "age_days": ("{low}–{high}天", "{low}–{high} days"),
    "age_more": ("{low}天以上", "over {low} days"),
    "received": ("受理时间", "Received"),
    "resolve_by": ("解决期限", "Resolve by"),
    "category": ("类别", "Category"),
    "department": ("责任部门", "Department"),
    "no_open_complaints": ("没有未结投诉。", "No open complaints."),
    "sms_month": ("本月短信", "SMS this month"),
    "sms_queued": ("待发送", "Queued"),
    "sms_sent": ("已发送", "Sent"),
    "sms_delivered": ("已送达", "Delivered"),
    "sms_failed": ("失败", "Failed"),
    "sms_cost": ("费用", "Cost"),
    "job_health": ("任务运行", "Job health"),
    "last_planning": ("上次排程", "Last planning"),
    "next_planning": ("下次排程", "Next planning"),
    "planning_due_now": ("即将运行", "due now"),
    "last_dispatch": ("上次短信发送", "Last SMS dispatch"),
    "scheduler": ("调度程序", "Scheduler"),
    "scheduler_off": ("未运行", "not running"),
    "never": ("从未", "never"),
    "ok": ("正常", "OK"),
    "late_state": ("异常", "Late"),
    "planning_late": (
        "{store}：今天的回访计划在07:00前没有生成（上次：{last}）。",
        "{store}: today was not planned by 07:00 (last: {last}).",
    ),
    "dispatch_late": (
        "{store}：发送时段内短信发送已超过10分钟没有运行（上次：{last}）。",
        "{store}: SMS dispatch has not run for 10 minutes inside the send window (last: {last}).",
    ),
    "tomorrow": ("明日预览（{date}）", "Tomorrow ({date})"),
    "kind": ("类型", "Kind"),
    "due_tomorrow": ("到期回访", "Calls due"),
    "opening_tomorrow": ("开始回访", "Calls opening"),
    "planned_sms": ("计划短信", "SMS planned"),
    "nothing_tomorrow": (
        "明天暂无到期事项（排程会在早上补充）。",
        "Nothing due yet (planning adds more in the morning).",
    ),
    "agents_title": ("坐席与分配", "Agents and assignment"),
    "code": ("代码", "Code"),
    "name": ("姓名", "Name"),
    "state": ("状态", "State"),
    "active": ("在岗", "Active"),
    "inactive": ("已停用", "Inactive"),
    "open_calls_n": ("未完成回访", "Open calls"),
    "actions": ("操作", "Actions"),
    "deactivate": ("停用", "Deactivate"),
    "deactivate_handover": ("停用并移交回访", "Deactivate and hand over"),
    "activate": ("启用", "Activate"),
    "assign_orphans": ("分配无人负责的回访", "Hand over calls without an active agent"),
    "rebalance": ("均衡分配", "Rebalance"),
    "assign_help": (
        "停用坐席的回访会交给在岗坐席（优先交给之前联系过该客户的坐席）；均衡分配会按客户整体移动回访，使每人负荷接近。",
        "An inactive agent's calls go to active agents (the customer's previous agent "
        "first); rebalancing moves whole customers until loads are even.",
    ),
    "agent_now": ("坐席 {code} 已{state}。", "Agent {code} is now {state}."),
    "assigned_n": (
        "已分配 {assigned} 个回访，移动 {moved} 个，在岗坐席 {agents} 人。",
        "{assigned} calls assigned, {moved} moved, over {agents} active agents.",
    ),
    "no_agents": ("门店还没有坐席。", "The store has no agents yet."),
    "reports_title": ("月度总结", "Month-end summary"),
    "month": ("月份", "Month"),
    "download": ("下载", "Download"),
    "earlier_months": ("往月", "Earlier months"),
    "report_of": ("{month} 月报", "Report for {month}"),
    "users_title": ("用户", "Users"),
    "add_user": ("新增用户", "Add a login"),
    "role": ("角色", "Role"),
    "role_agent": ("坐席", "Agent"),
    "role_manager": ("经理", "Manager"),
    "role_admin": ("管理员", "Admin"),
    "all_stores": ("全部门店", "every store"),
    "new_password": ("新密码", "New password"),
    "confirm_password": ("再次输入密码", "Password again"),
    "add": ("添加", "Add"),
    "last_login": ("上次登录", "Last sign-in"),
    "enabled": ("可用", "Enabled"),
    "disabled": ("已停用", "Disabled"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "reset_password": ("重置密码", "Reset the password"),
    "set_role": ("设置角色和门店", "Set the role and store"),
    "save": ("保存", "Save"),
    "user_added": ("已添加用户 {code}。", "Login {code} added."),
    "user_saved": ("用户 {code} 已更新。", "Login {code} updated."),
    "password_saved": (
        "用户 {code} 的密码已重置，其登录已结束。",
        "The password of {code} is reset; its sessions ended.",
    ),
    "back_users": ("返回用户列表", "Back to the users"),
    "passwords_differ": ("两次输入的密码不一致", "the two passwords differ"),
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
    # Manager: dashboard, agents, reports, users (h-dash).
    (r"no active agent", "没有在岗坐席，回访无法分配；请先启用一位坐席"),
    (r"you cannot disable your own login", "不能停用自己的账号"),
    (r"you cannot change your own role or store", "不能修改自己的角色或门店"),
    (r"a password needs at least (\d+) characters", r"密码至少需要\1个字符"),
    (r"a password has at most (\d+) characters", r"密码最多\1个字符"),
    (r"the two passwords differ", "两次输入的密码不一致"),
    (r"user code .* must be 1-32 letters, digits, - or _", "用户名须为1-32个字母、数字、-或_"),
    (r"a user needs a name, e\.g\. 李娜", "请填写姓名，例如 李娜"),
    (r"user (\S+) already exists; pick another code", r"用户 \1 已存在，请换一个用户名"),
    (r"an admin works in every store; give no store", "管理员管理全部门店，无需选择门店"),
    (r"an? (agent|manager) belongs to a store; say which", "请选择所属门店"),
    (r"unknown store .*", "没有这个门店"),
    (r"'.*' is not a month like 2026-02 \(YYYY-MM\)", "请按 2026-02 的格式选择月份"),
    (
        r"(\d{4}-\d{2}) has not started yet in store \S+ \(today is .*\); ask for (\S+) or earlier",
        r"\1 还没有开始，请选择 \2 或更早的月份",
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
