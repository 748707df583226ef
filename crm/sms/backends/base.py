"""Old name of a provider's failure, now `crm.sms.providers.base.ProviderError` (see __init__)."""

from crm.sms.providers.base import ProviderError as SendError

__all__ = ["SendError"]
