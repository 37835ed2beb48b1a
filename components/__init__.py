"""Pulumi components for one account's IAM: users, groups, role tiers and the account baseline."""
