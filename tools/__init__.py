"""LLM-facing tools over the pure calculation core in :mod:`tools.calc`."""
