"""Where a CodeBuild project's buildspec comes from, and which release step it runs.

CodeBuild's `source.buildspec` is either an inline buildspec (YAML with `phases`), the path of a
buildspec file inside the source, or the ARN of an S3 object; empty or absent means `buildspec.yml`
at the source root (CodeBuild API reference, `ProjectSource.buildspec`). Only an inline buildspec is
declared by the stack: changing it takes `codebuild:UpdateProject`, a change to this stack. A path
is read from what was pushed (in a pipeline, from the primary input artifact) and an S3 object from
whoever can write it, so neither is stack-owned.

A release step (`release_steps.sign`, `release_steps.verify`) is recognised by a phase command that
runs it as `python -m <module>` (any `python`, `python3`, `python3.12`; options before `-m` allowed),
never by text anywhere in the buildspec: the release steps write their own sources into every step's
buildspec as shell heredocs, so one step's buildspec may quote another step's name. Heredoc bodies
are skipped; a command that runs the module some other way is not recognised, which can only refuse
a project, never pass one.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

import yaml
from pulumi_policy import PolicyResource

from cicd_guardrails.support.wire import is_unknown, nested, plain

BUILD_PROJECT = "aws:codebuild/project:Project"
DEFAULT_BUILDSPEC = "buildspec.yml"
S3_ARN_PREFIX = "arn:"
SIGN_MODULE = "release_steps.sign"
PUBLISH_MODULE = "release_steps.publish"
SIGNING_MODULES = (SIGN_MODULE, PUBLISH_MODULE)
"""The stack-owned steps that sign: release manifests (sign) and deployment records (publish)."""
VERIFY_MODULE = "release_steps.verify"
PHASE_COMMAND_KEYS = ("commands", "finally")

# `<<WORD`, `<<-WORD`, `<< 'WORD'`, `<<"WORD"`; not the here-string `<<<`.
_HEREDOC_RE = re.compile(r"(?<!<)<<(?!<)(?P<dash>-?)\s*(?P<quote>['\"]?)(?P<word>\w+)(?P=quote)")


class BuildspecKind(Enum):
    INLINE = "inline"
    SOURCE_PATH = "a path in the source"
    S3_OBJECT = "an S3 object"
    UNREADABLE = "unreadable"
    NOT_YET_KNOWN = "not yet known"


@dataclass(frozen=True)
class Buildspec:
    """A project's buildspec: where it comes from and, when inline, the commands its phases run."""

    kind: BuildspecKind
    value: Any
    commands: tuple[str, ...] = ()

    @property
    def stack_owned(self) -> bool:
        return self.kind is BuildspecKind.INLINE

    def runs_module(self, module: str) -> bool:
        """Whether a phase command runs `python -m <module>` (outside any heredoc body)."""
        return _commands_run_module(self.commands, module)

    def described(self) -> str:
        """Where the buildspec comes from, for a message (`source.buildspec` is the path)."""
        if self.kind is BuildspecKind.SOURCE_PATH:
            if self.value in (None, ""):
                return (
                    f"source.buildspec is not set, so CodeBuild reads {DEFAULT_BUILDSPEC} from the "
                    "source, which a push can change"
                )
            return (
                f"source.buildspec is the path {self.value!r}, read from the source, which a push "
                "can change"
            )
        if self.kind is BuildspecKind.S3_OBJECT:
            return (
                f"source.buildspec is the S3 object {self.value!r}, which whoever can write it "
                "changes outside the stack"
            )
        if self.kind is BuildspecKind.UNREADABLE:
            return "source.buildspec is neither a path nor an inline buildspec with phases"
        if self.kind is BuildspecKind.NOT_YET_KNOWN:
            return "source.buildspec is not known yet"
        return "source.buildspec is inline (declared by the stack)"


@dataclass(frozen=True)
class BuildProject:
    """A CodeBuild project of the stack: the name actions use, its role, what it runs."""

    resource: PolicyResource
    name: Any  # a string, None, or the unknown sentinel
    service_role: Any
    buildspec: Buildspec

    @property
    def provider(self) -> str | None:
        return provider_urn(self.resource)

    def runs(self, module: str) -> bool | None:
        """Whether its stack-owned buildspec runs `module`; None while the buildspec is not known."""
        if self.buildspec.kind is BuildspecKind.NOT_YET_KNOWN:
            return None
        return self.buildspec.stack_owned and self.buildspec.runs_module(module)


def build_projects(resources: Iterable[PolicyResource]) -> list[BuildProject]:
    """Every CodeBuild project of the stack, its properties read as plain data."""
    projects = []
    for resource in resources:
        if resource.resource_type != BUILD_PROJECT:
            continue
        props = plain(resource.props)
        projects.append(
            BuildProject(
                resource, props.get("name"), props.get("serviceRole"), project_buildspec(props)
            )
        )
    return projects


def provider_urn(resource: PolicyResource) -> str | None:
    """The explicit provider's URN (account and region), None for the default provider."""
    return resource.provider.urn if resource.provider is not None else None


def project_buildspec(props: dict[str, Any]) -> Buildspec:
    """The buildspec of a build project's plain properties (its primary `source`)."""
    return classify_buildspec(nested(props, "source", "buildspec"))


def classify_buildspec(value: Any) -> Buildspec:
    if is_unknown(value):
        return Buildspec(BuildspecKind.NOT_YET_KNOWN, value)
    if value is None or value == "":
        return Buildspec(BuildspecKind.SOURCE_PATH, value)
    if not isinstance(value, str):
        return Buildspec(BuildspecKind.UNREADABLE, value)
    return _classify_text(value)


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: the step buildspecs are ~85 KB each."""


@lru_cache(maxsize=1024)
def _classify_text(text: str) -> Buildspec:
    """Parsed once per text: three policies read the same step buildspecs."""
    stripped = text.strip()
    if "\n" not in stripped and stripped.startswith(S3_ARN_PREFIX):
        return Buildspec(BuildspecKind.S3_OBJECT, text)
    try:
        document = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return Buildspec(BuildspecKind.UNREADABLE, text)
    if isinstance(document, str) and "\n" not in stripped:
        return Buildspec(BuildspecKind.SOURCE_PATH, text)
    if not isinstance(document, dict) or not isinstance(document.get("phases"), dict):
        return Buildspec(BuildspecKind.UNREADABLE, text)
    return Buildspec(BuildspecKind.INLINE, text, _phase_commands(document["phases"]))


def _phase_commands(phases: dict[Any, Any]) -> tuple[str, ...]:
    commands: list[str] = []
    for phase in phases.values():
        if not isinstance(phase, dict):
            continue
        for key in PHASE_COMMAND_KEYS:
            listed = phase.get(key)
            if isinstance(listed, list):
                commands.extend(str(command) for command in listed if command is not None)
    return tuple(commands)


@lru_cache(maxsize=1024)
def _commands_run_module(commands: tuple[str, ...], module: str) -> bool:
    """Answered once per buildspec and module: every signing key asks it of every project."""
    pattern = _module_pattern(module)
    return any(pattern.search(line) for command in commands for line in _executed_lines(command))


def _executed_lines(command: str) -> list[str]:
    """The lines of a shell command that the shell runs: heredoc bodies are data, not commands."""
    lines: list[str] = []
    pending: list[tuple[str, bool]] = []  # heredoc delimiters still open, in order
    for line in command.split("\n"):
        if pending:
            word, strip_tabs = pending[0]
            if (line.lstrip("\t") if strip_tabs else line) == word:
                pending.pop(0)
            continue
        lines.append(line)
        pending.extend(
            (m.group("word"), m.group("dash") == "-") for m in _HEREDOC_RE.finditer(line)
        )
    return lines


@lru_cache(maxsize=16)
def _module_pattern(module: str) -> re.Pattern[str]:
    return re.compile(
        r"(?:^|[\s;&|(`])(?:\S*/)?python[0-9.]*\s+(?:-(?!m\s)\S+\s+)*-m\s+"
        rf"{re.escape(module)}(?=$|[\s;&|)`])"
    )
