"""BENCHMARKS.md: bench/results.json as people read it, written by `make bench` (bench/run.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PLOT = "bench/scale.png"
NONE = "\u2013"  # an en dash: no figure
TIMES = "\u00d7"  # a multiplication sign: "1.52x" as people write it
VERDICTS = {True: "met", False: "**not met**", None: "not measured in this run"}


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return NONE
    return f"{value:,.{digits}f}"


def _ratio(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}{TIMES}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    align = ["---" if index < right_from else "---:" for index in range(len(header))]
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _machine(results: dict[str, Any]) -> list[str]:
    machine, versions = results["machine"], results["versions"]
    rows = [
        ("CPU", f"{machine.get('cpu_model', '?')}, {machine['cpus']} cores available"),
        ("Memory", f"{machine['memory_gib']:.1f} GiB"),
        (
            "Python",
            machine["python"]
            + (
                ""
                if machine.get("bytecode_cache", True)
                else " (PYTHONDONTWRITEBYTECODE set: every process compiles its imports from source)"
            ),
        ),
        ("pulumi (Python SDK)", versions["pulumi"]),
        ("pulumi-aws", versions["pulumi-aws"]),
        ("pulumi-policy", versions["pulumi-policy"]),
        (
            "The pack",
            f"{versions['pack']} (policypack/PulumiPolicy.yaml), {versions['pack_policies']} policies",
        ),
        (
            "Load average (1 min) at the start and the end",
            f"{machine['load_average_start']:.2f} and {machine['load_average_end']:.2f} "
            "(other work on the machine during the run shows here)",
        ),
    ]
    return ["## Machine and versions", "", *_table(("", ""), rows, right_from=2), ""]


def _shown_value(name: str, value: float | None) -> str:
    if value is None:
        return NONE
    if name.startswith("growth"):
        return f"{value:.2f}"
    if name.startswith(("check_to", "pack_to")):
        return _ratio(value)
    if name == "in_process_docs_per_second":
        return f"{value:,.0f} documents/s"
    if name.startswith("peak_rss"):
        return f"{value:,.0f} MiB"
    return f"{value:g}"


def _targets(scale: dict[str, Any]) -> list[str]:
    rows = []
    for name, target in scale["targets"].items():
        comparison = {"<=": "≤", "<": "<", ">=": "≥"}[target["comparison"]]
        rows.append(
            (
                target["what"],
                f"{comparison} {target['bound']:g}",
                _shown_value(name, target["value"]),
                VERDICTS[target["met"]],
            )
        )
    return [
        "## Targets",
        "",
        'Stated with the issue "Organization scale"; each is judged on this run\'s figures, and a target '
        "that is not met stays as it is.",
        "",
        *_table(("Target", "Bound", "Measured", "Verdict"), rows, right_from=4),
        "",
    ]


def _scale_table(results: list[dict[str, Any]]) -> list[str]:
    rows = []
    for result in results:
        check, floor, ratios, stack = result["check"], result["floor"], result["ratios"], result["stack"]
        registrations = stack["registrations_per_mode"] or {}
        rows.append(
            (
                f"{result['people']:,}",
                str(stack["groups"]),
                str(stack["tiers"]),
                f"{registrations.get('update', 0):,}",
                _number(check["seconds"]),
                _number(floor["seconds"]),
                _ratio(ratios["check_to_floor"]),
                _ratio(ratios["check_cpu_to_floor_cpu"]),
                _number(check["program_seconds"]),
                _number(floor["flat_program_seconds"]),
                _ratio(ratios["program_to_flat_program"]),
                _number(check["pack_seconds"]),
                _number(floor["noop_pack_seconds"]),
                _ratio(ratios["pack_to_noop_pack"]),
                _number(check["peak_rss_mib"]["check_process"], 0),
                _number(check["peak_rss_mib"]["second_process"], 0),
                _number(check["peak_rss_mib"]["pack_process"], 0),
            )
        )
    header = (
        "People",
        "Groups",
        "Tiers",
        "Registrations per mode",
        "make check (s)",
        "Its floor (s)",
        "Check / floor",
        "CPU: check / floor",
        "Program (s)",
        "Flat program (s)",
        "Program / flat",
        "Pack (s)",
        "No-op pack (s)",
        "Pack / no-op",
        "Peak MiB: check process",
        "Its second process",
        "Pack process",
    )
    return _table(header, rows)


def _share(part: float, total: float) -> str:
    return f"{part:.1f} s ({100 * part / total:.0f}%)" if total else NONE


def _breakdown(results: list[dict[str, Any]]) -> list[str]:
    """Two tables: the wall time along the check's main process, then CPU time by who did the work."""
    path_parts = (
        ("startup_imports_and_exit", "Start-up, imports, exit"),
        ("pack_start", "Pack start"),
        ("program_preview", "Program, preview"),
        ("program_update", "Program, update (in this process)"),
        ("waiting_for_the_update_program", "Waiting for the update program"),
        ("gate_preview", "Pack: preview"),
        ("gate_update", "Pack: update"),
        ("config_plan_and_report", "Config, plan and report"),
    )
    work_parts = (("program", "Program"), ("pack", "Pack process"), ("engine", "Engine (the rest)"))
    path_rows, work_rows = [], []
    for result in results:
        check = result["check"]
        people = f"{result['people']:,}"
        if check["critical_path"] is None:
            path_rows.append((people, *(NONE for _ in path_parts)))
            work_rows.append((people, *(NONE for _ in work_parts), NONE, NONE, NONE))
            continue
        path, spent = check["critical_path"], check["work"]
        path_rows.append((people, *(_share(path[key], check["seconds"]) for key, _ in path_parts)))
        ratios = result["ratios"]
        work_rows.append(
            (
                people,
                *(_share(spent[key], spent["total"]) for key, _ in work_parts),
                f"{spent['total']:.1f} s",
                _ratio(ratios["program_cpu_to_flat_program_cpu"]),
                _ratio(ratios["pack_cpu_to_noop_pack_cpu"]),
            )
        )
    lines = [
        "Wall time along the check's main process, each second in one column: the update-mode program "
        "runs in a second process meanwhile, and what the main process waits for it shows as waiting. "
        "The pack's columns are Remediate, Analyze and AnalyzeStack of each mode, timed at the client.",
        "",
        *_table(("People", *(label for _, label in path_parts)), path_rows),
        "",
        "CPU time of every process of the check (wait4), by who did the work: the program is both modes "
        "of `__main__.py` under the mock runtime, in whichever process; the pack is the pack process, "
        "start included; the engine is everything else (interpreter start and imports in each process, "
        "reading the stack, building, sending and reading the Analyzer requests, moving the update run "
        "between processes, the plan and the report). The last two columns compare CPU time with the "
        "floors': the program's both modes with the flat program's, the pack's CPU time while it "
        "answered with the no-op pack's for the same requests.",
        "",
        *_table(
            (
                "People",
                *(label for _, label in work_parts),
                "All CPU",
                "CPU: program / flat",
                "CPU: pack / no-op",
            ),
            work_rows,
        ),
    ]
    ran = [result for result in results if result["check"]["work"]]
    if ran:
        largest = ran[-1]
        spent, ratios = largest["check"]["work"], largest["ratios"]
        shares = {key: f"{100 * spent[key] / spent['total']:.0f}%" for key in ("program", "pack", "engine")}
        lines += [
            "",
            f"At {largest['people']:,} people the check took {largest['check']['seconds']:.1f} s of wall "
            f"time and {spent['total']:.1f} s of CPU: the program {shares['program']} "
            f"({_ratio(ratios['program_to_flat_program'])} the flat program's time), the pack "
            f"{shares['pack']} ({_ratio(ratios['pack_to_noop_pack'])} the no-op pack's time for the same "
            f"requests), the engine {shares['engine']}.",
        ]
    return lines


def _per_user(results: list[dict[str, Any]]) -> list[str]:
    kinds = (
        ("console_no_keys", "Console user, no keys"),
        ("programmatic", "Programmatic user (access key, no console)"),
        ("disabled", "Offboarded user"),
    )
    rows = []
    for result in results:
        per_user = result["resources_per_user"]
        cells = []
        for kind, _ in kinds:
            entry = per_user.get(kind)
            cells.append(
                NONE
                if entry is None
                else f"{entry['registrations_per_user']} ({entry['aws_resources_per_user']} AWS) "
                f"{TIMES} {entry['users']:,}"
            )
        rows.append((f"{result['people']:,}", *cells, _memberships(result.get("group_memberships"))))
    return [
        "## Resources per person",
        "",
        "Registrations per user in the update run: the `iamtiers:index:User` component and its children "
        "(in brackets, the AWS resources alone, without the component), times the number of such users. "
        "The engine registers the component and the pack analyzes it like any other resource, so the "
        "target counts it. Group memberships are not under the user: each group with members registers "
        "one `GroupMembership` listing them all, so a person costs 3 registrations (a console user with "
        "no keys) plus a share of one membership per group; the last column gives that share, the "
        "memberships over the people.",
        "",
        *_table(("People", *(label for _, label in kinds), "Group memberships per person (amortized)"), rows),
        "",
    ]


def _memberships(figures: dict[str, Any] | None) -> str:
    if figures is None or figures["per_person"] is None:
        return NONE  # a run from before memberships moved to the groups
    return f"{figures['registrations']:,} / {figures['people']:,} = {figures['per_person']:.3f}"


def _method(results: dict[str, Any]) -> list[str]:
    scale = results["scale"]
    file_form = scale["file_form"]
    form = (
        "People are in files at every size: `iamtiers:users: {file: people/scale-<N>-users.yaml}`, "
        "the file holding the same `{defaults, items}`, and so are the groups and the role tiers "
        "(`people/scale-<N>-groups.yaml`, `people/scale-<N>-role-tiers.yaml`): at 5,000 people those two "
        "alone would outgrow the one environment variable the CLI passes the stack config in."
        if file_form["used"]
        else "People are inline in the stack file: `python -m offline check` did not accept the file form "
        f"in this run ({file_form['probe']}); inline, the whole config travels in one environment "
        f"variable of at most {file_form['env_string_limit_bytes'] // 1024} KiB, which the generated "
        "stacks outgrow at ~800 people, so larger sizes cannot run."
    )
    return [
        "## How it is measured",
        "",
        "- **The stacks** (bench/generate_stack.py, seeded): an identity account of N people in ten "
        "departments; one group per ~20 people (at least 11, at most 250) with one to three AWS-managed "
        "policies and one or two scoped inline statements, assuming one to three of its department's "
        "tiers; one role tier per ~50 people "
        "(at least 3, at most 60: a break-glass admin tier, an audit tier trusted by the audit account, then "
        "ReadOnly, Operator, Deployer and DataAccess tiers per department); 4% programmatic users in "
        "automation groups; about 10% with a PGP key, 8% contractors with tags, 1% offboarded; every "
        "person with an e-mail and a department path; the baseline of a Control Tower account. Every "
        "stack passes the pack with no mandatory finding. " + form,
        "- **make check**: a fresh process runs `offline.cli.main` with the check's arguments (what "
        "`python -m offline check` runs), timed from outside, from its start to its exit "
        "(bench/check_phases.py wraps its phases with timers and reads the pack's CPU time and peak "
        "memory from /proc). The check runs the update-mode program in a second process while it runs "
        "the preview and judges it, so on two cores its wall time is less than the sum of its parts.",
        "- **Its floor**: a fresh process runs the flat program (bench/flat_program.py: the same custom "
        "resources, type by type, registered flat with pulumi-aws, no components, no pydantic) in preview "
        "and update modes under offline.running.engine's mock runtime, each mode in a process of its "
        "own as the check does (a second run in the same process is 20-30% slower: the SDK keeps "
        "state of the first), but one after the other, then starts the no-op pack (bench/noop_pack: "
        f"the pack's {results['versions']['pack_policies']} policies by name and kind, each doing nothing) "
        "and sends it, through "
        "offline.judging.gate, the very Remediate, Analyze and AnalyzeStack requests the check sent "
        "the real pack, both modes. "
        "Same interpreter start, same SDK imports, same protocol; nothing of ours. As the issue defines "
        "it, the floor is the sum of these, one after the other; the check's overlap of its two modes is "
        'its own gain, so "CPU: check / floor" (the CPU time of every process of each, from wait4) '
        "is given beside the wall-time ratio.",
        "- **The pack** (and the no-op pack): Remediate and Analyze per registration, then AnalyzeStack, "
        "for both modes, timed at the client (process start not included, reported apart).",
        "- **Peak memory**: ru_maxrss of the check's main process and of its second process, VmHWM of the "
        "pack process; the target takes the largest, which wait4 reports for the whole tree.",
        "- **Rounds**: "
        + ", ".join(f"{count} at {int(people):,}" for people, count in scale["rounds"].items())
        + " (the median of each figure when more than one); the check and its floor alternate, so both "
        "see the same machine. Sizes run one after the other.",
        "",
    ]


def _legacy(results: dict[str, Any]) -> list[str]:
    figures, corpus = results["figures"], results["managed_policy_corpus"]
    in_process = corpus["ours_in_process"]["docs_per_second"]
    first_pass = corpus["ours_in_process"].get("docs_per_second_first_pass")
    first = f" ({first_pass:,.0f}/s on a first pass, every pattern new)" if first_pass else ""
    protocol = corpus["ours_protocol"]["analyze_docs_per_second"]
    return [
        "## The dev stack and the AWS-managed policies",
        "",
        f"The dev check (both modes, program and pack) takes {figures['dev_check_seconds']:.1f} s; one "
        f"AnalyzeStack of dev {figures['analyze_stack_dev_seconds']:.2f} s; the pack's peak "
        f"{figures['pack_peak_rss_mib']:.0f} MiB. All {corpus['corpus']['documents']:,} AWS-managed policy "
        f"documents: {in_process:,.0f} documents/s analysed in-process"
        + first
        + f", {protocol:,.0f}/s through the protocol; the comparison with cloudsplaining and parliament is "
        "in bench/managed_policy_corpus.md.",
        "",
    ]


def render(results: dict[str, Any]) -> str:
    """The whole of BENCHMARKS.md for one run's bench/results.json."""
    scale = results["scale"]
    sizes = ", ".join(f"{people:,}" for people in scale["sizes"])
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (bench/run.py, bench/benchmarks_md.py); do not edit. -->",
        "",
        "`make bench` times the offline check (`make check`) of generated organisations of 100 to 5,000 "
        "people against floors measured in the same run, then the dev stack and every AWS-managed policy "
        "document. `make bench SIZES=100,500` runs a subset; figures go to bench/results.json too.",
        "",
        f"This run: {sizes} people, {results['run_seconds'] / 60:.1f} minutes in all "
        f"({scale['seconds'] / 60:.1f} of them for the scale part), on {results['date']}.",
        "",
        *_machine(results),
        *_targets(scale),
        "## The offline check against its floors",
        "",
        f"![make check, program and pack time against people, and their ratios to the floors]({PLOT})",
        "",
        *_scale_table(scale["results"]),
        "",
        "## Where the time goes",
        "",
        *_breakdown(scale["results"]),
        "",
        *_per_user(scale["results"]),
        *_method(results),
        *_legacy(results),
    ]
    errors = [result for result in scale["results"] if not result["check"]["ran"]]
    for result in errors:
        lines += [
            f"At {result['people']:,} people the check could not run: {' / '.join(result['check']['error'])}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
