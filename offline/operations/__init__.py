"""Operations: what a user runs against a whole stack or project.

Enters: stack names, a project directory, an exported state. Leaves: one stack's `CheckReport`
(check.py), every stack's checks in parallel processes with the worst exit code (check_all.py), and
a migrated state export (migrate_memberships.py).
"""
