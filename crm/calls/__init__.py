"""The call desk: agents, the day's call list, results, inbound inquiries and complaints."""
