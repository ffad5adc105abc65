"""The assistant: agent, offline planner, report, and the command line.

Nothing heavy is imported here: ``scaling-assistant params --json`` must start fast, so
LangChain and friends are imported lazily by the modules that need them.
"""
