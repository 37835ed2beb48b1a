"""AWS-managed policy references in the stack config are checked against the policy pack's vendored data.

A misspelt name, a wrong path or a retired policy is a config problem naming its key and the fix, not
a failure half-way through `pulumi up`. Customer-managed ARNs are not judged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components import aws_managed_policies
from components.config import parse_stack_config
from tests.conftest import PROJECT_DIR, stack_config
from tests.test_config import _set, problems_of, shipped
from tests.test_stack_files import assert_clean_error, check

# In Pulumi.dev.yaml: groups.items[3] is LabGuest, role_tiers.items[1] SOC_Engineer, [4] ReadOnly.
GUEST_POLICIES = "groups.items.3.managed_policies"
ENGINEER_POLICIES = "role_tiers.items.1.managed_policies"
READ_ONLY_BOUNDARY = "role_tiers.items.4.permissions_boundary"


def dev_with(*edits: tuple[str, Any]) -> dict[str, Any]:
    raw = copy.deepcopy(shipped("dev"))
    for path, value in edits:
        _set(raw, path, value)
    return raw


def test_a_misspelt_name_suggests_the_right_arn() -> None:
    [problem] = problems_of(dev_with((GUEST_POLICIES, ["AmazonS3ReadOnlyAcess"])))
    assert problem.startswith(
        "iamtiers:groups.items[3].managed_policies[0]: "
        "'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAcess' is no AWS-managed policy (checked against "
    ), problem
    assert problem.endswith("; did you mean arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess?"), problem


def test_a_name_without_its_path_names_the_right_path() -> None:
    assert problems_of(dev_with((GUEST_POLICIES, ["ViewOnlyAccess"]))) == [
        "iamtiers:groups.items[3].managed_policies[0]: AWS-managed policy ViewOnlyAccess lives at "
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess, not at 'arn:aws:iam::aws:policy/ViewOnlyAccess'"
    ]


def test_a_retired_policy_names_its_successor() -> None:
    assert problems_of(dev_with((GUEST_POLICIES, ["AWSCloudTrailReadOnlyAccess"]))) == [
        "iamtiers:groups.items[3].managed_policies[0]: AWS retired the managed policy "
        "AWSCloudTrailReadOnlyAccess; use its successor arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess"
    ]


def test_a_retired_policy_without_successor_is_refused_all_the_same() -> None:
    assert problems_of(dev_with((GUEST_POLICIES, ["AWSOpsWorksFullAccess"]))) == [
        "iamtiers:groups.items[3].managed_policies[0]: AWS retired the managed policy AWSOpsWorksFullAccess;"
        " it has no successor: grant what is needed in a policy of your own"
    ]


def test_every_form_of_reference_is_checked_and_named_by_its_key() -> None:
    problems = problems_of(
        dev_with(
            (
                ENGINEER_POLICIES,
                [
                    "SecurityAudit",
                    "job-function/ViewOnlyAcess",  # path/NAME
                    "arn:aws:iam::aws:policy/IAMReadOnlyAcess",  # full ARN
                ],
            ),
            (GUEST_POLICIES, ["job-function/ViewOnlyAccess", "NoSuchPolicyAnywhere"]),  # NAME
        )
    )
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        "iamtiers:groups.items[3].managed_policies[1]",
        "iamtiers:role_tiers.items[1].managed_policies[1]",
        "iamtiers:role_tiers.items[1].managed_policies[2]",
    ], problems
    assert problems[1].endswith("; did you mean arn:aws:iam::aws:policy/job-function/ViewOnlyAccess?")
    assert problems[2].endswith("; did you mean arn:aws:iam::aws:policy/IAMReadOnlyAccess?")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess",
        "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
    ],
)
def test_an_existing_policy_in_another_partition_passes(arn: str) -> None:
    config = parse_stack_config(dev_with((GUEST_POLICIES, [arn])))
    assert config.group("LabGuest").managed_policies == [arn]


def test_another_partition_is_no_way_around_the_check() -> None:
    [problem] = problems_of(dev_with((GUEST_POLICIES, ["arn:aws-us-gov:iam::aws:policy/ViewOnlyAccess"])))
    assert problem.startswith(
        "iamtiers:groups.items[3].managed_policies[0]: AWS-managed policy ViewOnlyAccess lives at "
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess, not at "
    ), problem


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::111111111111:policy/lab/team/LabGuest",
        # Named like an AWS-managed policy, misspelt: the account's own policy, so not judged here.
        "arn:aws:iam::123456789012:policy/AmazonS3ReadOnlyAcess",
    ],
)
def test_a_customer_managed_arn_passes_untouched(arn: str) -> None:
    config = parse_stack_config(dev_with((GUEST_POLICIES, [arn]), (READ_ONLY_BOUNDARY, arn)))
    assert config.group("LabGuest").managed_policies == [arn]
    assert config.tier("ReadOnly").permissions_boundary == arn


def test_a_bad_permissions_boundary_names_the_tiers_key() -> None:
    [problem] = problems_of(dev_with((READ_ONLY_BOUNDARY, "PowerUserAcess")))
    assert problem.startswith(
        "iamtiers:role_tiers.items[4].permissions_boundary: 'arn:aws:iam::aws:policy/PowerUserAcess' "
        "is no AWS-managed policy"
    ), problem
    assert problem.endswith("; did you mean arn:aws:iam::aws:policy/PowerUserAccess?"), problem


def test_a_bad_default_permissions_boundary_names_the_defaults_key() -> None:
    problems = problems_of(dev_with(("role_tiers.defaults.permissions_boundary", "AWSConfigRole")))
    assert (
        "iamtiers:role_tiers.defaults.permissions_boundary: AWS retired the managed policy AWSConfigRole; "
        "use its successor arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
    ) in problems, problems


def test_a_good_permissions_boundary_passes() -> None:
    config = parse_stack_config(dev_with((READ_ONLY_BOUNDARY, "PowerUserAccess")))
    assert config.tier("ReadOnly").permissions_boundary == "PowerUserAccess"


def test_a_malformed_reference_gets_only_its_shape_problem() -> None:
    """The existence check runs on well-formed references only: one problem, the one to fix first."""
    [problem] = problems_of(dev_with((GUEST_POLICIES, ["job-function/ViewOnlyÄccess"])))
    assert problem.startswith(
        "iamtiers:groups.items[3].managed_policies[0]: 'ViewOnlyÄccess' is not a valid IAM policy name"
    ), problem


def test_the_program_reads_the_packs_data_and_words_it_as_the_pack_does() -> None:
    """One copy of the data: the pack's module, loaded by path, and the same message as the pack's."""
    from iam_guard import aws_managed as pack  # importable here as it is in the pack's process

    loaded = aws_managed_policies._PACK_AWS_MANAGED
    assert loaded.__file__ is not None
    assert Path(loaded.__file__).resolve() == (PROJECT_DIR / "policypack/iam_guard/aws_managed.py").resolve()
    assert Path(loaded.DATA_FILE).resolve() == Path(pack.DATA_FILE).resolve()
    for arn in ("arn:aws:iam::aws:policy/ViewOnlyAccess", "arn:aws:iam::aws:policy/AWSConfigRole"):
        assert aws_managed_policies.why_missing(arn) == pack.why_missing(arn)


def test_check_refuses_an_unknown_managed_policy_without_a_traceback(
    project_with_stack: Callable[[dict[str, Any]], Path],
) -> None:
    config = stack_config("dev")
    config["iamtiers:groups"]["items"][3]["managed_policies"] = ["ViewOnlyAccess"]
    config["iamtiers:role_tiers"]["items"][4]["permissions_boundary"] = "AWSCloudTrailReadOnlyAccess"
    assert_clean_error(
        check(project_with_stack(config)),
        "error: stack 'test': stack config has 2 problem(s):",
        "  - iamtiers:groups.items[3].managed_policies[0]: AWS-managed policy ViewOnlyAccess lives at "
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess, "
        "not at 'arn:aws:iam::aws:policy/ViewOnlyAccess'",
        "  - iamtiers:role_tiers.items[4].permissions_boundary: AWS retired the managed policy "
        "AWSCloudTrailReadOnlyAccess; use its successor arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess",
    )
