"""Services: the non-Telegram logic behind commands (admins' changes audited), testable alone."""
