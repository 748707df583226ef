"""The words every layer shares: task kinds, calendars, phone numbers, stale predictions.

Nothing here imports a domain package, so the SMS, import, planning, call-desk and
report code may all use it without importing each other.
"""
