"""Scheduled jobs: the daily planning run, the SMS dispatcher and the month-end report.

Each job is a thin, restart-safe wrapper that reads the clock and calls into `crm/`;
APScheduler runs them while `make run` (or `crm run`) keeps the process alive. The jobs
arrive with the follow-up engine, SMS and report issues.
"""
