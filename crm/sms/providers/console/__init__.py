"""The console provider: prints each message and records it as sent; nothing leaves the machine.

It has no error mapping: nothing can refuse a message printed to the screen.
"""

from crm.sms.providers.console.sender import ConsoleSender

__all__ = ["ConsoleSender"]
