"""SMS: rendering the text a customer gets (sending arrives with the outbox)."""
