"""What Aliyun requires of an approved template; no SDK import, so lint and planning read it."""

from __future__ import annotations

from crm.config import SmsSettings
from crm.sms.providers.base import TemplateRules

# Aliyun's marketing (推广) templates end with this opt-out, which its reviewers require.
OPT_OUT = "拒收请回复R"


def rules(settings: SmsSettings) -> TemplateRules:
    return TemplateRules(
        provider="Aliyun",
        slot_style="aliyun",
        min_characters=1,
        max_characters=settings.aliyun.slot_max_characters,
        limit_setting="sms.aliyun.slot_max_characters",
        opt_out=OPT_OUT,
        sign_name=settings.aliyun.sign_name,
        sign_setting="sms.aliyun.sign_name",
    )
