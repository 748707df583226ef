"""The manager's overview of a store: today's desk, open complaints, what comes tomorrow,
and whether the jobs that feed the desk (planning, SMS dispatch) are running."""
