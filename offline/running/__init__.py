"""Running a stack: the real program under Pulumi's mock runtime, as the CLI would run it.

Enters: a project directory and a stack name (Pulumi.yaml, Pulumi.<stack>.yaml and its collection
files). Leaves: a `StackRun` per mode (every registration, its inputs, parent and dependencies, and
the stack outputs), with the stack settings and the stack file's line marks.
"""
