"""`crm sms lint`: every template rendered with sample data, measured, and judged.

Each kind is rendered with exactly the variables its sender gives it (a store's
anniversary template cannot use `campaign`), with long realistic values, so a template
that lints renders, and fits the phone, for real customers too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import TemplateError, UndefinedError

from crm.config import Settings
from crm.sms import segments, templates
from crm.sms.render import (
    MAX_TEXT,
    TEMPLATES,
    TemplateProblem,
    salutation,
    sign,
    store_environment,
)

# Long, realistic values for every variable a template may be given; each kind gets only
# its own (crm.sms.templates), as its sender gives them.
SAMPLES = {
    "zh_CN": {
        "customer": salutation("欧阳建国", "male", "zh_CN"),
        "vehicle_model": "ID.4 CROZZ",
        "plate": "粤A·D12345",
        "due_date": "2026-12-31",
        "first_service_km": 7500,
        "years": 10,
        "holiday": "中秋节",
        "campaign": "秋季服务节",
    },
    "en": {
        "customer": "Ouyang Jianguo",
        "vehicle_model": "ID.4 CROZZ",
        "plate": "粤A·D12345",
        "due_date": "2026-12-31",
        "first_service_km": 7500,
        "years": 10,
        "holiday": "Mid-Autumn Festival",
        "campaign": "Autumn Service Festival",
    },
}
# `reminder` picks the fallback's wording: render each branch.
BRANCHES = [
    {"reminder": "first_service"},
    {"reminder": "maintenance"},
    {"reminder": "first_service_overdue"},  # the date named is long past: 请尽快
    {"reminder": "maintenance_overdue"},
]


def sample_contexts(kind: str, locale: str) -> list[dict]:
    """What a template of `kind` is rendered with, one context per branch it may take."""
    names = templates.variables(kind)
    context = {name: SAMPLES[locale][name] for name in names if name != "reminder"}
    if "reminder" in names:
        return [context | branch for branch in BRANCHES]
    return [context]


# Top-level domains seen in links sent by SMS in China and abroad (short links included);
# not "to" or "so", which an English sentence missing its space after a full stop has.
TLDS = (
    "com|cn|net|org|gov|edu|top|xyz|info|biz|io|me|cc|ly|co|tv|gl|gd|ws|vip|shop|club|site"
    "|online|store|tech|link|app|live|fun|ink|wang|ren|pub|icu|asia|mobi|hk|tw|mo"
)
# ASCII boundaries only: Python counts Chinese characters as word characters, so a `\b`
# of its own finds no edge in 详情见t.cn/abc, and a link glued to Chinese text would pass.
URL = re.compile(
    r"https?://|www\."
    rf"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{TLDS})\b"
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b",  # a bare IP address
    re.IGNORECASE | re.ASCII,
)


@dataclass
class Finding:
    """One template, measured with its longest rendering, and what is wrong with it."""

    source: str  # zh_CN, en or the store's folder
    kind: str
    category: str
    text: str = ""
    characters: int = 0
    encoding: str = ""
    segments: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "template": self.kind,
            "category": self.category,
            "characters": self.characters,
            "encoding": self.encoding,
            "segments": self.segments,
            "ok": self.ok,
            "problems": self.problems,
            "text": self.text,
        }


def lint_file(path: Path, locale: str, source: str, settings: Settings) -> Finding:
    """Render one template file with its kind's samples and judge the longest text."""
    kind = path.stem
    finding = Finding(source, kind, str(templates.category(kind)))
    sms = settings.sms
    try:
        # The sandbox for every file: lint must not run a store's template unsandboxed.
        template = store_environment(str(path.parent.resolve())).get_template(path.name)
        texts = [
            sign(
                template.render(store=settings.store.name, **context),
                finding.category,
                settings.store.name,
                sms.opt_out_line,
                bracket=not sms.templated,
            )
            for context in sample_contexts(kind, locale)
        ]
    except UndefinedError as exc:
        finding.problems.append(f"missing variable: {exc.message}")
        return finding
    except TemplateProblem as exc:  # a link out of the folder, a huge text being built
        finding.problems.append(str(exc))
        return finding
    except TemplateError as exc:
        finding.problems.append(f"template error: {exc}")
        return finding
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        # A store's template is code we did not write: 1/0, "a" + 1, bad bytes.
        finding.problems.append(f"template error: {type(exc).__name__}: {exc}"[:300])
        return finding
    if any(len(text) > MAX_TEXT for text in texts):
        finding.problems.append(f"renders over {MAX_TEXT} characters")
        return finding
    finding.text = max(texts, key=lambda text: segments.count(text).units)
    measured = segments.count(finding.text)
    finding.characters, finding.encoding = measured.characters, measured.encoding
    finding.segments = measured.segments
    finding.problems += text_problems(texts, settings)
    return finding


def text_problems(texts: list[str], settings: Settings) -> list[str]:
    """What the route would refuse or the store's limit forbids in any of these texts."""
    problems = []
    sms = settings.sms
    if not sms.links_allowed and any(URL.search(text) for text in texts):
        problems.append("contains a link, which this route forbids (sms.links_allowed)")
    most = max((segments.count(text).segments for text in texts), default=0)
    if most > sms.max_segments:
        problems.append(f"{most} segments, more than sms.max_segments = {sms.max_segments}")
    return problems


def lint_all(settings: Settings) -> list[Finding]:
    """Every product template in every locale, then the store's own folder; for a template
    provider (Aliyun, Tencent), then each template against its approved text."""
    findings = []
    for folder in sorted(p for p in TEMPLATES.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.txt")):
            findings.append(lint_file(path, folder.name, folder.name, settings))
    if settings.sms.templates_dir:
        own = Path(settings.sms.templates_dir)
        for path in sorted(own.glob("*.txt")):
            findings.append(lint_file(path, settings.store.locale, str(own), settings))
    if settings.sms.templated:
        from crm.sms.approved_lint import lint_approved
        from crm.sms.providers import template_rules

        findings += lint_approved(settings, template_rules(settings.sms))
    return findings
