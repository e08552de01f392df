"""Marsad: a Telegram bot that watches news feeds for a newsroom."""
