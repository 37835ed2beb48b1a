"""Whether an EventBridge event pattern or a CloudWatch Logs filter pattern matches an event.

The break-glass rule judges alarms by what they match, not by their names: it builds the CloudTrail
event one use of a principal produces (`console_sign_in`, `assume_role`) and asks each pattern. Both
readers are conservative: a construct they do not know raises `UnreadablePatternError`, which the
rule counts as no alarm and names in its finding.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from typing import Any


class UnreadablePatternError(ValueError):
    """A pattern this module cannot judge; the message says what in it."""


def console_sign_in(user_name: str, user_arn: str) -> dict[str, Any]:
    """The EventBridge event of a successful console sign-in of an IAM user, with MFA."""
    return {
        "source": "aws.signin",
        "detail-type": "AWS Console Sign In via CloudTrail",
        "detail": {
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "eventType": "AwsConsoleSignIn",
            "userIdentity": {"type": "IAMUser", "userName": user_name, "arn": user_arn},
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"MFAUsed": "Yes"},
        },
    }


def assume_role(role_arn: str) -> dict[str, Any]:
    """The EventBridge event of an `sts:AssumeRole` of the role (caller left open)."""
    return {
        "source": "aws.sts",
        "detail-type": "AWS API Call via CloudTrail",
        "detail": {
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole",
            "eventType": "AwsApiCall",
            "requestParameters": {"roleArn": role_arn, "roleSessionName": "session"},
        },
    }


# --- EventBridge event patterns ------------------------------------------------------------------------


def event_pattern_matches(pattern_text: str, event: Mapping[str, Any]) -> bool:
    try:
        pattern = json.loads(pattern_text)
    except (TypeError, json.JSONDecodeError) as error:
        raise UnreadablePatternError(f"not JSON ({error})") from None
    if not isinstance(pattern, dict):
        raise UnreadablePatternError("not a JSON object")
    return _object_matches(pattern, event)


def _object_matches(pattern: Mapping[str, Any], event: Any) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if not isinstance(expected, list) or not expected:
                raise UnreadablePatternError("'$or' is not a list of patterns")
            if not any(_object_matches(branch, event) for branch in expected):
                return False
            continue
        present = isinstance(event, Mapping) and key in event
        value = event[key] if present else None
        if isinstance(expected, dict):
            if not _object_matches(expected, value if isinstance(value, Mapping) else {}):
                return False
        elif isinstance(expected, list):
            if not _field_matches(expected, value, present):
                return False
        else:
            raise UnreadablePatternError(f"'{key}' must be an object or a list of values")
    return True


def _field_matches(alternatives: list[Any], value: Any, present: bool) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(_one_matches(alternative, v, present) for alternative in alternatives for v in values)


def _one_matches(alternative: Any, value: Any, present: bool) -> bool:
    if not isinstance(alternative, dict):
        return present and alternative == value
    if len(alternative) != 1:
        raise UnreadablePatternError(f"content filter {json.dumps(alternative)} has more than one operator")
    [(operator, operand)] = alternative.items()
    text = value if isinstance(value, str) else None
    if operator == "exists":
        return present is bool(operand)
    if not present:
        return False
    if operator == "prefix" and isinstance(operand, str):
        return text is not None and text.startswith(operand)
    if operator == "suffix" and isinstance(operand, str):
        return text is not None and text.endswith(operand)
    if operator == "equals-ignore-case" and isinstance(operand, str):
        return text is not None and text.lower() == operand.lower()
    if operator == "wildcard" and isinstance(operand, str):
        return text is not None and fnmatch.fnmatchcase(text, operand.replace("[", "[[]"))
    if operator == "anything-but":
        excluded = operand if isinstance(operand, list) else [operand]
        if all(not isinstance(item, dict) for item in excluded):
            return value not in excluded
    raise UnreadablePatternError(f"content filter {json.dumps(alternative)} is not read by the pack")


# --- CloudWatch Logs JSON filter patterns ---------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<paren>[()])|(?P<logic>&&|\|\|)|"
    r"(?P<term>\$\.[A-Za-z0-9_.\[\]-]+\s*(?:NOT\s+EXISTS|EXISTS|IS\s+NULL|IS\s+TRUE|IS\s+FALSE|"
    r'(?:!=|=)\s*(?:"(?:[^"\\]|\\.)*"|[^\s()&|]+))))'
)


def filter_pattern_matches(pattern_text: str, record: Mapping[str, Any]) -> bool:
    """A JSON filter pattern (`{ ($.eventName = "X") && ... }`) against one CloudTrail record."""
    text = pattern_text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise UnreadablePatternError("not a JSON filter pattern ({ ... })")
    tokens = _tokens(text[1:-1])
    position, result = _expression(tokens, 0, record)
    if position != len(tokens):
        raise UnreadablePatternError(f"unexpected '{tokens[position]}'")
    return result


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise UnreadablePatternError(f"cannot read '{text[position:].strip()[:40]}'")
        tokens.append(match.group(match.lastgroup or "term").strip())
        position = match.end()
    return tokens


def _expression(tokens: list[str], position: int, record: Mapping[str, Any]) -> tuple[int, bool]:
    """OR of ANDs: && binds tighter than ||."""
    position, result = _conjunction(tokens, position, record)
    while position < len(tokens) and tokens[position] == "||":
        position, right = _conjunction(tokens, position + 1, record)
        result = result or right
    return position, result


def _conjunction(tokens: list[str], position: int, record: Mapping[str, Any]) -> tuple[int, bool]:
    position, result = _operand(tokens, position, record)
    while position < len(tokens) and tokens[position] == "&&":
        position, right = _operand(tokens, position + 1, record)
        result = result and right
    return position, result


def _operand(tokens: list[str], position: int, record: Mapping[str, Any]) -> tuple[int, bool]:
    if position >= len(tokens):
        raise UnreadablePatternError("ends too early")
    token = tokens[position]
    if token == "(":
        position, result = _expression(tokens, position + 1, record)
        if position >= len(tokens) or tokens[position] != ")":
            raise UnreadablePatternError("unbalanced parentheses")
        return position + 1, result
    if token.startswith("$."):
        return position + 1, _term(token, record)
    raise UnreadablePatternError(f"unexpected '{token}'")


def _selected(selector: str, record: Mapping[str, Any]) -> tuple[bool, Any]:
    value: Any = record
    for part in selector[2:].split("."):
        if "[" in part:
            raise UnreadablePatternError(f"array selector {selector} is not read by the pack")
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _term(term: str, record: Mapping[str, Any]) -> bool:
    match = re.match(r"^(\$\.[^\s=!]+)\s*(.*)$", term)
    if not match:
        raise UnreadablePatternError(f"cannot read '{term}'")
    selector, rest = match.groups()
    present, value = _selected(selector, record)
    words = rest.split()
    if words in (["EXISTS"], ["NOT", "EXISTS"]):
        return present is (words == ["EXISTS"])
    if words[:1] == ["IS"]:
        expected = {"NULL": None, "TRUE": True, "FALSE": False}[words[1]]
        return present and value is expected
    operator, _, operand = rest.partition("=")
    negated = operator.strip() == "!"
    wanted = operand.strip()
    if wanted.startswith('"'):
        wanted = json.loads(wanted)
    equal = present and isinstance(value, str | int | float) and fnmatch.fnmatchcase(str(value), wanted)
    return (not equal) if negated else equal
