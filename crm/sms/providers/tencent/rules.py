"""What Tencent requires of an approved template; no SDK import, so lint and planning read it."""

from __future__ import annotations

from crm.config import SmsSettings
from crm.sms.providers.base import TemplateRules

# Tencent's marketing templates must carry an opt-out; this is the wording it suggests.
OPT_OUT = "拒收请回复R"


def rules(settings: SmsSettings) -> TemplateRules:
    return TemplateRules(
        provider="Tencent",
        slot_style="tencent",
        min_characters=1,
        max_characters=settings.tencent.slot_max_characters,
        limit_setting="sms.tencent.slot_max_characters",
        opt_out=OPT_OUT,
        sign_name=settings.tencent.sign_name,
        sign_setting="sms.tencent.sign_name",
    )
