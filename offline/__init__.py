"""iamtiers offline: run the program and the policy pack as the Pulumi CLI would, without the CLI.

Rooms follow the data, and each imports only the rooms before it:
running (the program under mock runtime) → judging (the policy pack over gRPC) → reporting (the
check's formats) → access (the access document) → operations (check, check-all, migrations).
The command line, `iamtiers` (cli.py), sits on top; nothing imports it.
"""
