"""The follow-up engine: the cadence's rules, the maintenance prediction and the planner."""
