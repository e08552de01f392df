"""Admin services: the non-Telegram logic behind admins' commands, each change audited."""
