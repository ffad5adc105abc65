"""The built-in offline model: a deterministic planner that reads zh/en text and calls the tools."""
