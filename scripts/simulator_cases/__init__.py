"""The request cases the IAM simulator answers for `scripts/record_simulator_answers.py`.

`cases` holds what every case is made of (principals, the case record), `resources` how a request's
resource is found for an action a policy names, and one module per kind of case: `generated` (the
seeded grammar), `shipped` (the shipped stacks, run offline) and `managed` (AWS-managed policies);
`replay` reads a recorded case back into our evaluator's call, for the agreement test and the bench.
The modules need `iam_guard` importable (policypack/ on the path), as the recording script sets it up.
"""
