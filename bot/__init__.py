"""Marsad: a Telegram bot that watches news feeds for a newsroom."""

__version__ = "0.2.0"
