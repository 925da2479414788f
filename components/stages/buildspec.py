"""The default buildspec: install, test into a JUnit report, package what the deploy stage needs.

The CodeBuild project reads the buildspec from the repository (`ServiceSettings.buildspec`, default
`buildspec.yml`), so a team owns its build. This module generates the file we recommend committing there;
the packaging steps and artifacts are the deploy target's (`components/targets/`); the README shows it
and tests pin its shape. It is deliberately conservative: tests failing stop the build before anything is
packaged (`on-failure: ABORT` plus a guard on `CODEBUILD_BUILD_SUCCEEDING`, because `post_build` would
otherwise still run after a failed `build`).
"""

from typing import Any

import yaml

from components.targets import DeployTarget

DEFAULT_BUILDSPEC_PATH = "buildspec.yml"
BUILDSPEC_VERSION = 0.2

REPORTS_DIRECTORY = "reports"
JUNIT_REPORT_FILE = "junit.xml"
INSTALL_COMMAND = "if [ -f requirements.txt ]; then pip install -r requirements.txt; fi"
TEST_COMMAND = f"python -m pytest --junitxml={REPORTS_DIRECTORY}/{JUNIT_REPORT_FILE}"
STOP_IF_BUILD_FAILED = 'test "$CODEBUILD_BUILD_SUCCEEDING" = "1"'
YAML_LINE_WIDTH = 1000
"""Never fold a shell command across lines: a folded command is hard to read and to copy."""


def default_buildspec(target: DeployTarget, report_group_arn: str) -> str:
    """The recommended buildspec for a service deploying to `target`, as YAML text.

    The report is addressed by the report group's ARN, so CodeBuild writes into the group this stack
    created instead of creating `<project>-<name>` itself (which would need `codebuild:CreateReportGroup`).
    """
    document: dict[str, Any] = {
        "version": BUILDSPEC_VERSION,
        "env": {"shell": "bash"},
        "phases": {
            "install": {"on-failure": "ABORT", "commands": [INSTALL_COMMAND]},
            "pre_build": {"on-failure": "ABORT", "commands": [f"mkdir -p {REPORTS_DIRECTORY}"]},
            "build": {"on-failure": "ABORT", "commands": [TEST_COMMAND]},
            "post_build": {"commands": [STOP_IF_BUILD_FAILED, *target.packaging_commands()]},
        },
        "reports": {
            report_group_arn: {
                "files": [JUNIT_REPORT_FILE],
                "base-directory": REPORTS_DIRECTORY,
                "file-format": "JUNITXML",
            }
        },
        "artifacts": target.artifact_section(),
    }
    return dump_buildspec(document)


def dump_buildspec(document: dict[str, Any]) -> str:
    """A buildspec as YAML: keys in the order given, multi-line commands as `|` blocks."""
    return yaml.dump(document, Dumper=_LiteralBlockDumper, sort_keys=False, width=YAML_LINE_WIDTH)


class _LiteralBlockDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes multi-line commands (the heredocs) as `|` blocks so the buildspec stays readable.

    libyaml's emitter when PyYAML has it (the release steps' buildspecs carry ~85 KB of code each;
    the pure-Python emitter takes 50 ms per buildspec), else PyYAML's own.
    """


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralBlockDumper.add_representer(str, _represent_text)
