"""A Mermaid flowchart of who reaches which role tier: users → groups → tiers, one subgraph per account.

Node ids are derived from names (letters, digits and `_` only, made unique deterministically) and every
label is quoted, so any IAM name renders on GitHub. Disabled users hold no group and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from offline.access.model import AccessModel, TierGrant, TrustEntry

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
ASSUME_WITH_MFA = "assume (MFA)"
ASSUME_WITHOUT_MFA = "assume (no MFA)"
ASSUME_FEDERATED = "assume (federated)"  # OIDC or SAML: MFA is the identity provider's business
ASSUME_AS_SERVICE = "assume (service)"
OUTSIDE_ACCOUNTS = ""  # nodes that belong to no account (AWS services, anyone) are drawn outside subgraphs


@dataclass
class _Ids:
    """Stable, unique node ids: `alice.nguyen` and `alice_nguyen` do not collide."""

    taken: dict[str, str] = field(default_factory=dict)  # id -> the key it stands for
    by_key: dict[str, str] = field(default_factory=dict)

    def of(self, prefix: str, *parts: str) -> str:
        key = "/".join((prefix, *parts))
        if key not in self.by_key:
            base = "_".join((prefix, *(_UNSAFE.sub("_", part) for part in parts)))
            candidate, counter = base, 2
            while candidate in self.taken:
                candidate, counter = f"{base}_{counter}", counter + 1
            self.taken[candidate] = key
            self.by_key[key] = candidate
        return self.by_key[key]


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _edge_label(mfa: bool) -> str:
    return _label(ASSUME_WITH_MFA if mfa else ASSUME_WITHOUT_MFA)


def _trust_edge_label(entry: TrustEntry) -> str:
    if entry.kind == "federated":
        return _label(ASSUME_FEDERATED)
    if entry.kind == "service":
        return _label(ASSUME_AS_SERVICE)
    return _edge_label(entry.mfa)


def _account_title(model: AccessModel, account_id: str) -> str:
    if account_id == model.account_id:
        alias = f" {model.account_alias}" if model.account_alias else ""
        return f"account {account_id}{alias} (stack {model.stack})"
    return f"account {account_id}"


class _Diagram:
    """Node declarations per account subgraph, and the edges between nodes."""

    def __init__(self, model: AccessModel) -> None:
        self.model = model
        self.ids = _Ids()
        self.nodes: dict[str, list[str]] = {model.account_id: []}
        self.edges: set[str] = set()

    def node(self, account_id: str, node: str, declaration: str) -> str:
        declarations = self.nodes.setdefault(account_id, [])
        if declaration not in declarations:
            declarations.append(declaration)
        return node

    def tier(self, account_id: str, name: str) -> str:
        node = self.ids.of("tier", account_id, name)
        return self.node(account_id, node, f"{node}([{_label(name)}])")

    def granted_tier(self, grant: TierGrant) -> str:
        if grant.tier.account_id == "*":
            return self.tier("*", grant.tier.arn)
        return self.tier(grant.tier.account_id, grant.tier.name)

    def trusted(self, entry: TrustEntry) -> str:
        """The node of a principal a tier trusts, in the subgraph of its account when it has one."""
        # The account and the ARN's resource part: unique, and short enough to read in the source.
        tail = () if entry.kind == "account" else (entry.principal.rsplit(":", 1)[-1],)
        node = self.ids.of("trusted", entry.kind, entry.account_id or "", *tail)
        return self.node(entry.account_id or OUTSIDE_ACCOUNTS, node, f"{node}[{_label(entry.label)}]")

    def lines(self) -> list[str]:
        lines = [f"  {declaration}" for declaration in self.nodes.get(OUTSIDE_ACCOUNTS, [])]
        accounts = [account for account in self.nodes if account != OUTSIDE_ACCOUNTS]
        ordered = sorted(accounts, key=lambda account: (account != self.model.account_id, account))
        for account_id in ordered:
            title = _account_title(self.model, account_id)
            lines.append(f"  subgraph {self.ids.of('account', account_id)}[{_label(title)}]")
            lines.extend(f"    {declaration}" for declaration in self.nodes[account_id])
            lines.append("  end")
        lines.extend(f"  {edge}" for edge in sorted(self.edges))
        return lines


def render_diagram(model: AccessModel) -> str:
    """The fenced ```mermaid block, deterministic for a given model."""
    diagram = _Diagram(model)
    here = model.account_id
    groups = {group.name for group in model.groups}  # a user's group outside the stack has no node
    for tier in model.tiers:
        diagram.tier(here, tier.name)
    for group in model.groups:
        node = diagram.ids.of("group", group.name)
        diagram.node(here, node, f"{node}[[{_label(group.name)}]]")
        for grant in group.tiers:
            diagram.edges.add(f"{node} -->|{_edge_label(bool(grant.mfa))}| {diagram.granted_tier(grant)}")
    for user in model.users:
        if user.disabled:
            continue
        node = diagram.ids.of("user", user.name)
        diagram.node(here, node, f"{node}[{_label(user.name)}]")
        diagram.edges.update(
            f"{node} --> {diagram.ids.of('group', group)}" for group in user.groups if group in groups
        )
    for tier in model.tiers:
        target = diagram.ids.of("tier", here, tier.name)
        for entry in tier.trust:
            if entry.kind == "account" and entry.principal == here:
                continue  # this account's principals reach the tier through its groups, drawn above
            diagram.edges.add(f"{diagram.trusted(entry)} -->|{_trust_edge_label(entry)}| {target}")
    return "\n".join(["```mermaid", "flowchart LR", *diagram.lines(), "```"])
