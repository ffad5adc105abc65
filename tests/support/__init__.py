"""Helpers shared by tests and bench scripts (not tests themselves)."""
