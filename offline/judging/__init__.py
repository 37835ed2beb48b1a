"""Judging a run: the policy pack started as the CLI starts it, driven over the Analyzer gRPC protocol.

Enters: a `StackRun` and the pack config. Leaves: a `GateResult` per mode (every diagnostic, with
its enforcement level), or an error naming the pack config or the pack process that failed.
"""
