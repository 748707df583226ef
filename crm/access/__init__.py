"""Who may use the consoles: users, passwords, logins and the session secret."""
