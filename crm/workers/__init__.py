"""Workers: any number of processes on PostgreSQL share the scheduled work, none leads.

`schedule` says which slots have come (pure), `runs` offers them (a unique key: one row
each) and claims them (`FOR UPDATE SKIP LOCKED`, under a lease), `roster` keeps the
workers' heartbeats, and `health` tells `crm status` what is alive and what is late.
"""
