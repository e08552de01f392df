"""The Telegram edge: each handler parses an update, calls one service and replies."""
