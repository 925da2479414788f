"""The README's "When a run fails" excerpts are what the command prints against the test server."""

import re
from pathlib import Path

from tests.support.troubleshoot_scenarios import (
    STAGING_ALARMS,
    seed_deployment_alarms,
    stage_build_failure,
    stage_deployment_failure,
    stage_pending_approval,
)

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README[README.index("## When a run fails") :]
SECTION = SECTION[: SECTION.index("\n## ")]
EXCERPTS = re.findall(r"```text\n(.*?)\n```", SECTION, re.S)


def test_the_section_has_the_three_excerpts():
    assert len(EXCERPTS) == 3


def test_build_failure_excerpt_is_the_whole_output(aws, run_command):
    stage_build_failure(aws)

    _, out, _ = run_command("dev")

    assert EXCERPTS[0] == out.rstrip("\n")


def test_alarm_rollback_excerpt_is_part_of_the_output(aws, run_command):
    seed_deployment_alarms(aws, firing=(STAGING_ALARMS[0],))
    stage_deployment_failure(
        aws,
        {
            "code": "ALARM_ACTIVE",
            "message": f"One or more alarms have been activated: {STAGING_ALARMS[0]}",
        },
    )

    _, out, _ = run_command("staging", "--service", "api")

    assert EXCERPTS[1] in out


def test_pending_approval_excerpt_is_part_of_the_output(aws, run_command):
    stage_pending_approval(aws)

    _, out, _ = run_command("prod")

    assert EXCERPTS[2] in out
