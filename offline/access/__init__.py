"""Documenting access: who can do what in a stack, as a reviewer and an auditor read it.

Enters: an update-mode `StackRun`, the stack settings and the pack config (its exemptions). Leaves:
an `AccessModel` (users → groups → tiers → policies, per service and access level) and the stack's
access document, `docs/access/<stack>.md`, with its Mermaid diagram.
"""
