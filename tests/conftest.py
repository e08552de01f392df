"""Shared fixtures: the helpers in tests/helpers/ provide servers; databases live in tests/db.py."""
