"""Reporting a check: the plan, the findings and where each comes from, in the formats people and
tools read.

Enters: the runs and gate results of both modes, the stack file's line marks and the pack config.
Leaves: a `CheckReport`, rendered as a table, JSON, SARIF 2.1.0 or Markdown, and written whole or
not at all.
"""
