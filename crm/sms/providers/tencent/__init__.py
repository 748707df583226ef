"""The Tencent Cloud SMS provider: its sender (sender.py), what its answers mean (errors.py),
what it requires of a template (rules.py) and what its pushes say (pushes.py)."""

from crm.sms.providers.tencent.sender import TencentSender, credentials

__all__ = ["TencentSender", "credentials"]
