"""The default buildspec: install, test into a JUnit report, package what the deploy stage needs.

The CodeBuild project reads the buildspec from the repository (`ServiceSettings.buildspec`, default
`buildspec.yml`), so a team owns its build. This module generates the file we recommend committing there,
per compute platform; the README shows it and tests pin its shape. It is deliberately conservative:
tests failing stop the build before anything is packaged or published (`on-failure: ABORT` plus a guard
on `CODEBUILD_BUILD_SUCCEEDING`, because `post_build` would otherwise still run after a failed `build`).
"""

from typing import Any

import yaml

from components.config import ServiceSettings

DEFAULT_BUILDSPEC_PATH = "buildspec.yml"
BUILDSPEC_VERSION = 0.2
APPSPEC_VERSION = 0.0

REPORTS_DIRECTORY = "reports"
JUNIT_REPORT_FILE = "junit.xml"
INSTALL_COMMAND = "if [ -f requirements.txt ]; then pip install -r requirements.txt; fi"
TEST_COMMAND = f"python -m pytest --junitxml={REPORTS_DIRECTORY}/{JUNIT_REPORT_FILE}"
STOP_IF_BUILD_FAILED = 'test "$CODEBUILD_BUILD_SUCCEEDING" = "1"'

APPSPEC_FILE = "appspec.yaml"
TASKDEF_FILE = "taskdef.json"
TASKDEF_SOURCE = "deploy/taskdef.json"
"""ECS: the task definition template committed in the repository (the image and roles are the team's)."""
TASK_DEFINITION_PLACEHOLDER = "<TASK_DEFINITION>"
"""CodeDeployToECS replaces this with the task definition it registers from `taskdef.json`."""
LAMBDA_SOURCE_DIRECTORY = "src"
LAMBDA_PACKAGE_DIRECTORY = "package"
"""Lambda: the function's code and dependencies; the build artifact *is* this directory, zipped."""
YAML_LINE_WIDTH = 1000
"""Never fold a shell command across lines: a folded command is hard to read and to copy."""


def default_buildspec(service: ServiceSettings, report_group_arn: str) -> str:
    """The recommended buildspec for `service`, as YAML text.

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
            "post_build": {"commands": [STOP_IF_BUILD_FAILED, *_packaging_commands(service)]},
        },
        "reports": {
            report_group_arn: {
                "files": [JUNIT_REPORT_FILE],
                "base-directory": REPORTS_DIRECTORY,
                "file-format": "JUNITXML",
            }
        },
        "artifacts": artifact_section(service),
    }
    return yaml.dump(document, Dumper=_LiteralBlockDumper, sort_keys=False, width=YAML_LINE_WIDTH)


def artifact_section(service: ServiceSettings) -> dict[str, Any]:
    """The buildspec's `artifacts`: what the deploy stage reads from the build output."""
    section: dict[str, Any] = {"files": list(artifact_files(service)), "discard-paths": "no"}
    if service.compute_platform == "Lambda":
        section["base-directory"] = LAMBDA_PACKAGE_DIRECTORY
    return section


def artifact_files(service: ServiceSettings) -> tuple[str, ...]:
    """What the deploy stage reads from the build output, per platform."""
    if service.compute_platform == "ECS":
        return (APPSPEC_FILE, TASKDEF_FILE)
    # Server: the whole revision bundle, with the team's own appspec.yml (hooks, files) at its root.
    # Lambda: the whole package directory, which becomes the function's deployment package.
    return ("**/*",)


def ecs_appspec(service: ServiceSettings) -> dict[str, Any]:
    """The ECS appspec CodeDeployToECS expects; the container and port come from config."""
    if service.ecs is None:
        raise ValueError(f"service {service.name!r} has no ecs settings")
    return {
        "version": APPSPEC_VERSION,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": TASK_DEFINITION_PLACEHOLDER,
                        "LoadBalancerInfo": {
                            "ContainerName": service.ecs.container_name,
                            "ContainerPort": service.ecs.container_port,
                        },
                    },
                }
            }
        ],
    }


def _packaging_commands(service: ServiceSettings) -> list[str]:
    if service.compute_platform == "ECS":
        return [
            f'test -f {TASKDEF_SOURCE} || {{ echo "ERROR: {TASKDEF_SOURCE} is missing"; exit 1; }}',
            f"cp {TASKDEF_SOURCE} {TASKDEF_FILE}",
            _write_file(APPSPEC_FILE, ecs_appspec(service)),
        ]
    if service.compute_platform == "Lambda":
        # Only packages: the pipeline's Lambda action updates the code from this artifact and
        # publishes the version after any approval; the build never touches the function.
        return [
            f"rm -rf {LAMBDA_PACKAGE_DIRECTORY} && cp -r {LAMBDA_SOURCE_DIRECTORY} "
            f"{LAMBDA_PACKAGE_DIRECTORY}",
            f"if [ -f {LAMBDA_SOURCE_DIRECTORY}/requirements.txt ]; then pip install -r "
            f"{LAMBDA_SOURCE_DIRECTORY}/requirements.txt -t {LAMBDA_PACKAGE_DIRECTORY}; fi",
        ]
    return ['echo "Server revision: the repository with its appspec.yml is the bundle"']


def _write_file(path: str, content: dict[str, Any]) -> str:
    """A heredoc command writing `content` as YAML; the quoted delimiter keeps `$` and `<...>` literal."""
    body = yaml.safe_dump(content, sort_keys=False)
    return f"cat > {path} <<'APPSPEC'\n{body}APPSPEC\n"


class _LiteralBlockDumper(yaml.SafeDumper):
    """Writes multi-line commands (the heredocs) as `|` blocks so the buildspec stays readable."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralBlockDumper.add_representer(str, _represent_text)
