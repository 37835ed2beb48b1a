"""The "defaults + items" shape of the collection keys (`groups`, `role_tiers`, `users`): which models
validate each part (`_COLLECTIONS`), which mappings merge rather than replace (`_MERGED_MAPPINGS`), and
`_split_collection`, which merges `defaults` into every item and reports a malformed collection.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from components.config.groups import Group, GroupSettings
from components.config.role_tiers import RoleTier, RoleTierSettings
from components.config.users import User, UserSettings
from components.config.wording import _validation_problems

# Keys whose entries use the "defaults + items" shape, with the model each part validates against.
_COLLECTIONS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "groups": (GroupSettings, Group),
    "role_tiers": (RoleTierSettings, RoleTier),
    "users": (UserSettings, User),
}
_MERGED_MAPPINGS = ("tags",)  # defaults and item values are merged, not replaced


def _split_collection(key: str, raw: Any, problems: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Merge `defaults` into each of `items`; returns (key path, merged entry) pairs."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: expected a mapping with 'defaults' and 'items'")
        return []
    unknown = sorted(set(raw) - {"defaults", "items"})
    for extra in unknown:
        close = difflib.get_close_matches(str(extra), ["defaults", "items", "file"], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(
            f"{key}.{extra}: unknown key{hint}; a collection holds only 'defaults' and 'items' "
            "(or only 'file', naming a file that holds them)"
        )
    settings_model, _ = _COLLECTIONS[key]
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        problems.append(f"{key}.defaults: expected a mapping of settings")
        defaults = {}
    try:
        settings_model.model_validate(defaults)
    except ValidationError as error:
        problems.extend(_validation_problems(f"{key}.defaults", error, settings_model))
        defaults = {}
    items = raw.get("items") or []
    if not isinstance(items, list):
        problems.append(f"{key}.items: expected a list of entries")
        return []
    merged: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        path = f"{key}.items[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{path}: expected a mapping with at least 'name'")
            continue
        entry = {**defaults, **item}
        for mapping_key in _MERGED_MAPPINGS:
            if isinstance(defaults.get(mapping_key), Mapping) and isinstance(item.get(mapping_key), Mapping):
                entry[mapping_key] = {**defaults[mapping_key], **item[mapping_key]}
        merged.append((path, entry))
    return merged
