"""Old home of the SMS providers, now `crm.sms.providers`; kept only while `jobs/sms.py`
still imports it from here. Delete this package once it imports `crm.sms.providers`."""

from crm.sms.providers import make_sender

__all__ = ["make_sender"]
