"""The follow-up desk for car dealerships: the customer store and everything that works on it."""
