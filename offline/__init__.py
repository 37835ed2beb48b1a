"""Run the program and the policy pack offline, as the Pulumi CLI would, without the CLI."""
