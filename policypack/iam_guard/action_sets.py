"""Sets of actions as bitsets over the catalog: one int per set, one bit per action.

Evaluating a document is set arithmetic over up to every action AWS has (about 22,000): as ints,
union, intersection and difference are single operations instead of hashing every name.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache, reduce
from operator import or_

from iam_guard.catalog import all_actions, expand


@lru_cache(maxsize=1)
def _ordered() -> tuple[str, ...]:
    """The catalog's actions in a fixed order: bit i of a set is action i."""
    return tuple(sorted(all_actions()))


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    return {action: position for position, action in enumerate(_ordered())}


@lru_cache(maxsize=1)
def every_action() -> int:
    return (1 << len(_ordered())) - 1


def bit(action: str) -> int:
    """The set holding only `action` (lower-case); 0 for an action the catalog does not know."""
    position = _index().get(action)
    return 0 if position is None else 1 << position


@lru_cache(maxsize=65536)
def pattern_set(pattern: str) -> int:
    """The actions a policy's action element matches; raises `UnknownActionError` as `expand` does."""
    return of_actions(expand(pattern))


def patterns_set(patterns: Iterable[str]) -> int:
    return reduce(or_, map(pattern_set, patterns), 0)


def of_actions(actions: Iterable[str]) -> int:
    index = _index()
    result = 0
    for action in actions:
        result |= 1 << index[action]
    return result


@lru_cache(maxsize=256)
def _byte_positions(value: int) -> tuple[int, ...]:
    return tuple(position for position in range(8) if value >> position & 1)


# Below this many members, peeling off the lowest bit beats reading every byte of the set.
_SPARSE = 256


def names(action_set: int) -> frozenset[str]:
    """The action names in a set."""
    if action_set == every_action():
        return all_actions()
    ordered = _ordered()
    members = action_set.bit_count()
    if members > len(ordered) // 2:  # most of the catalog (`NotAction`, a Deny carved from `*`)
        return all_actions() - names(every_action() & ~action_set)
    if members <= _SPARSE:
        found = []
        while action_set:
            lowest = action_set & -action_set
            found.append(ordered[lowest.bit_length() - 1])
            action_set ^= lowest
        return frozenset(found)
    dense: list[str] = []
    for offset, value in enumerate(action_set.to_bytes((action_set.bit_length() + 7) // 8, "little")):
        if value:
            base = offset * 8
            dense.extend(ordered[base + position] for position in _byte_positions(value))
    return frozenset(dense)
