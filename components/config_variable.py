"""The stack config as the CLI hands it to a process, and when it is too big to be handed over.

The CLI gives the whole stack config to the program (through the language host) and to every policy
pack in one environment variable, PULUMI_CONFIG: Go's `json.Marshal` of `{"namespace:key": text}`,
where a structured value's text is itself `json.Marshal` of the value (compact, keys sorted, numbers
as float64, `<` `>` `&` escaped), secrets decrypted (pulumi/pulumi sdk/go/common/resource/plugin:
`constructEnv`, `PropertyMapToConfig`; pulumi-language-python `constructConfig`).

Linux refuses to start a process when one environment string, `NAME=value` and its terminating NUL,
is longer than MAX_ARG_STRLEN (32 pages: 131072 bytes); the CLI then fails to start the program or
the policy pack (pulumi/pulumi#20402). This module measures the variable exactly and refuses it
with room to spare (`CONFIG_VARIABLE_LIMIT`), naming the fix: a collection in its own file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

CONFIG_VARIABLE = "PULUMI_CONFIG"
MAX_ARG_STRLEN = 32 * 4096  # linux/binfmts.h: the longest argument or environment string, NUL included
# Refused above 120 KiB: 8 KiB (~50 people at ~150 bytes each) before the wall, so the check fails
# on the change that nears it while the real CLI still runs, and room for config the offline check
# cannot see (an ESC environment's pulumiConfig). Secrets reach PULUMI_CONFIG decrypted, so their
# ciphertext in the stack file does not count against it.
CONFIG_VARIABLE_LIMIT = 120 * 1024
COLLECTION_KEYS = ("users", "groups", "role_tiers")  # the keys that may move to a collection file
FILE_KEY = "file"  # `iamtiers:users: {file: people/dev-users.yaml}`

_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# Control characters, and what Go's HTML-safe encoder escapes besides: < > & U+2028 U+2029.
_GO_ESCAPED = re.compile('["\\\\\x00-\x1f<>&\u2028\u2029]')


def _go_string(text: str) -> str:
    return '"' + _GO_ESCAPED.sub(lambda m: _GO_ESCAPES.get(m[0], f"\\u{ord(m[0]):04x}"), text) + '"'


def _go_number(value: float) -> str:
    """A number as Go writes a float64: positional below 1e21, shortest digits, `1e-07` as `1e-7`."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a JSON number")
    if number != 0 and (abs(number) < 1e-6 or abs(number) >= 1e21):
        return re.sub(r"e-0(\d)$", r"e-\1", repr(number))
    return format(Decimal(repr(number)).normalize(), "f")


def go_json(value: Any) -> str:
    """`value` as Go's `json.Marshal` writes it (the CLI's encoder): compact, mapping keys sorted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_number(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, Mapping):
        members = sorted((str(key), item) for key, item in value.items())
        return "{" + ",".join(f"{_go_string(key)}:{go_json(item)}" for key, item in members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    raise TypeError(f"{type(value).__name__} is not a config value")


def config_value_text(value: Any) -> str:
    """A stack-file value as the CLI passes it: a string as it is, anything else as JSON text."""
    return value if isinstance(value, str) else go_json(value)


def config_variable(config: Mapping[str, str]) -> str:
    """The value of PULUMI_CONFIG for a config of "namespace:key" -> value text."""
    return go_json(dict(config))


def config_variable_size(config: Mapping[str, str]) -> int:
    """Bytes of `PULUMI_CONFIG=<value>` as the kernel counts them, terminating NUL included."""
    return len(f"{CONFIG_VARIABLE}={config_variable(config)}".encode()) + 1


def _kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def config_size_problem(config: Mapping[str, str], project: str, stack: str) -> str | None:
    """Why this config cannot go on (its size, the limits, the fix), or None when it fits."""
    if config_variable_size(config) <= CONFIG_VARIABLE_LIMIT:
        return None
    return config_size_message(config, project, stack)


def config_size_message(config: Mapping[str, str], project: str, stack: str) -> str:
    """The size of this config's PULUMI_CONFIG, the limits, and the fix: the largest collections
    still in the stack file, each with the line that moves it to a collection file."""
    size = config_variable_size(config)
    sizes = {
        key: len(go_json(key).encode()) + len(go_json(text).encode()) + 1 for key, text in config.items()
    }
    movable = [
        f"{project}:{key}"
        for key in COLLECTION_KEYS
        if f"{project}:{key}" in config and not _is_file_reference(config[f"{project}:{key}"])
    ]
    movable.sort(key=lambda key: -sizes[key])
    lines = [
        f"the stack config is {size:,} bytes ({_kib(size)}) as the CLI passes it in {CONFIG_VARIABLE}, "
        f"over this project's limit of {_kib(CONFIG_VARIABLE_LIMIT)} ({CONFIG_VARIABLE_LIMIT:,} bytes); "
        f"Linux refuses to start the program or the policy pack once that one variable passes "
        f"{MAX_ARG_STRLEN // 1024} KiB ({MAX_ARG_STRLEN:,} bytes; pulumi/pulumi#20402)"
    ]
    if movable:
        lines.append(
            f"  fix: move the largest collections out of Pulumi.{stack}.yaml, each into a file of its own "
            "that holds the same {defaults, items} (README, 'Large stacks: collection files'):"
        )
        lines += [
            f"    {key}: {{file: people/{stack}-{key.partition(':')[2].replace('_', '-')}.yaml}}"
            f"  # now {_kib(sizes[key])}"
            for key in movable
        ]
    else:
        largest = sorted(sizes, key=lambda key: -sizes[key])[:3]
        listing = ", ".join(f"{key} ({_kib(sizes[key])})" for key in largest)
        lines.append(
            f"  every collection is already in a file; the largest keys are {listing}: make them smaller"
        )
    return "\n".join(lines)


def collection_file_reference(value: Any) -> bool:
    """Whether a collection key's value is the file form (`{file: ...}`, perhaps mixed up with more)."""
    return isinstance(value, Mapping) and FILE_KEY in value


def _is_file_reference(text: str) -> bool:
    """`collection_file_reference` of a value as the CLI passes it (JSON text)."""
    try:
        return collection_file_reference(json.loads(text))
    except json.JSONDecodeError:
        return False
