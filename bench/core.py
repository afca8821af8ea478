"""Placeholder until the core benchmark lands (same session)."""
