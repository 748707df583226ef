"""The Aliyun provider (dysmsapi): its sender (sender.py), what its answers mean (errors.py),
what it requires of a template (rules.py) and what its pushes say (pushes.py)."""

from crm.sms.providers.aliyun.sender import AliyunSender, credentials

__all__ = ["AliyunSender", "credentials"]
