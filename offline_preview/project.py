"""Loads a Pulumi project and one stack's config the way the CLI does, before anything runs.

Config keys are `namespace:key` (a bare key belongs to the project). The program receives every value
as a string, non-strings JSON-encoded, as the CLI passes them in PULUMI_CONFIG. Project-level
`config:` in Pulumi.yaml supplies defaults and types: a stack value of the wrong type, or a typed key
without a default that the stack omits, is an error as with the CLI.

`secure:` values cannot be decrypted offline (no secrets provider): the program receives the
placeholder `SECRET_PLACEHOLDER`, marked secret, and reports show `[secret]`.
"""

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.release.steps.step_io import safe
from offline_preview import go_yaml
from offline_preview.aws_regions import region_problem
from offline_preview.errors import PreviewError

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
# The CLI's rule for a stack's own name (pulumi/pulumi sdk/go/common/tokens/stack_name.go: "a stack name may only contain
# alphanumeric, hyphens, underscores, or periods", at most 100 characters).
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
SECRET_PLACEHOLDER = "[secret]"
SECURE_KEY = "secure"
REGION_KEY = "aws:region"
SCHEMA_KEYS = {"type", "default", "value", "description", "secret", "items"}
YAML_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


@dataclass
class Project:
    """A project directory with one selected stack's resolved config."""

    name: str
    directory: Path
    main: Path
    stack: str
    stack_file: Path
    description: str = ""
    has_description: bool = False  # Pulumi.yaml sets `description` (the CLI then tags the stack)
    runtime_options: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)  # "ns:key" -> typed value
    secret_keys: list[str] = field(default_factory=list)

    def config_env(self) -> dict[str, str]:
        """PULUMI_CONFIG as the CLI builds it: strings as-is, everything else JSON."""
        return {key: _as_config_string(value) for key, value in self.config.items()}

    def display_config(self) -> dict[str, Any]:
        return {
            k: SECRET_PLACEHOLDER if k in self.secret_keys else v for k, v in self.config.items()
        }

    def python(self) -> str:
        """The interpreter the language host would use: the project's virtualenv if it exists."""
        virtualenv = self.runtime_options.get("virtualenv")
        if virtualenv:
            candidate = self.directory / str(virtualenv) / "bin" / "python"
            if candidate.exists():
                return str(candidate)
        return sys.executable


def load_project(project_dir: Path, stack: str) -> Project:
    """`stack` may be fully qualified (`org/stack`, `org/project/stack`), as the CLI accepts it;
    the stack file and the URNs use its last part."""
    stack = stack.rsplit("/", 1)[-1]
    if not stack:
        raise PreviewError("--stack: the stack name is empty; give e.g. --stack dev")
    if not STACK_NAME.fullmatch(stack):
        # !a (ascii) shows control characters as escapes: the name is visible, the terminal untouched.
        raise PreviewError(
            f"stack name {stack!a}: a stack name may only contain letters, digits, '-', '_' "
            "and '.' (at most 100); give e.g. --stack dev"
        )
    directory = project_dir.resolve()
    if not directory.is_dir():
        raise PreviewError(
            f"--cwd {safe(str(project_dir))}: not a directory; give the project's directory"
        )
    project_file = next((directory / n for n in PROJECT_FILES if (directory / n).is_file()), None)
    if project_file is None:
        raise PreviewError(
            f"no Pulumi.yaml in {directory}: run from the project directory or pass --cwd DIR "
            "(create a project with `pulumi new python`)"
        )
    project_doc = _read_yaml(project_file)
    name = project_doc.get("name")
    if not isinstance(name, str) or not name:
        raise PreviewError(f"{project_file}: `name` is missing; add `name: <project>`")
    runtime = project_doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise PreviewError(f"{project_file}: runtime is {runtime_name!r}; only python is supported")
    options = (runtime.get("options") if isinstance(runtime, dict) else None) or {}

    stack_file = directory / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise PreviewError(
            f"no stack file {stack_file.name} in {directory}: create the stack with "
            f"`pulumi stack init {stack}` or write {stack_file.name} with a `config:` section"
        )
    stack_config = _read_yaml(stack_file).get("config") or {}
    if not isinstance(stack_config, dict):
        raise PreviewError(f"{stack_file.name}: `config` must be a mapping of key: value")

    project_config = project_doc.get("config") or {}
    if not isinstance(project_config, dict):
        raise PreviewError(f"{project_file.name}: `config` must be a mapping of key: declaration")
    if not isinstance(options, dict):
        raise PreviewError(f"{project_file.name}: `runtime.options` must be a mapping")
    config, secret_keys = _resolve_config(name, project_config, stack_config, stack_file)
    return Project(
        name=name,
        directory=directory,
        main=_main_program(directory, project_doc.get("main")),
        stack=stack,
        stack_file=stack_file,
        description=str(project_doc.get("description") or ""),
        has_description=project_doc.get("description") is not None,
        runtime_options=dict(options),
        config=config,
        secret_keys=secret_keys,
    )


def _resolve_config(
    project: str, project_config: dict, stack_config: dict, stack_file: Path
) -> tuple[dict[str, Any], list[str]]:
    config: dict[str, Any] = {}
    secret_keys: list[str] = []
    spelled: dict[str, str] = {}
    for raw_key, raw_value in stack_config.items():
        key = _full_key(project, str(raw_key))
        if key in spelled:  # `k` and `<project>:k` are one key: never "the last one wins"
            raise PreviewError(
                f"{stack_file.name}: {spelled[key]!r} and {str(raw_key)!r} are two spellings of "
                f"the config key {key!r}; keep one"
            )
        spelled[key] = str(raw_key)
        value, secret = _decode_value(raw_value)
        config[key] = value
        if secret:
            secret_keys.append(key)

    for raw_key, declaration in project_config.items():
        key = _full_key(project, str(raw_key))
        schema = declaration if _is_schema(declaration) else {"default": declaration}
        declared_type = schema.get("type")
        if key in config:
            if declared_type and key not in secret_keys:
                _check_type(key, config[key], declared_type, stack_file, schema.get("items"))
            continue
        default = schema.get("default", schema.get("value"))
        if default is not None:
            config[key] = default
            if schema.get("secret"):
                secret_keys.append(key)
        elif declared_type:
            bare = key.split(":", 1)[1] if key.startswith(f"{project}:") else key
            raise PreviewError(
                f"{stack_file.name} is missing configuration value {key!r} (declared in Pulumi.yaml "
                f"without a default): add it with `pulumi config set {bare} <value> --stack "
                f"{stack_file.stem.split('.', 1)[1]}`"
            )
    _check_region(config, secret_keys, stack_file)
    return config, secret_keys


def _check_region(config: dict[str, Any], secret_keys: list[str], stack_file: Path) -> None:
    """The AWS provider refuses a region it does not know; so do we, before the program runs."""
    if REGION_KEY not in config or REGION_KEY in secret_keys:
        return
    problem = region_problem(config[REGION_KEY])
    if problem:
        raise PreviewError(
            f"{stack_file.name}: configuration value {REGION_KEY!r} = {problem}; set it with "
            f"`pulumi config set {REGION_KEY} us-east-1 --stack {stack_file.stem.split('.', 1)[1]}`"
        )


def _decode_value(raw: Any) -> tuple[Any, bool]:
    """A stack value with its secrecy; `secure:` (at any depth) becomes the placeholder."""
    if isinstance(raw, dict) and set(raw) == {SECURE_KEY}:
        return SECRET_PLACEHOLDER, True
    if isinstance(raw, dict):
        decoded = {k: _decode_value(v) for k, v in raw.items()}
        return {k: v for k, (v, _) in decoded.items()}, any(s for _, s in decoded.values())
    if isinstance(raw, list):
        items = [_decode_value(v) for v in raw]
        return [v for v, _ in items], any(s for _, s in items)
    return raw, False


def _check_type(key: str, value: Any, declared: str, stack_file: Path, items: Any = None) -> None:
    """The declared type, and for an array its `items` type, as the CLI checks a stack's config
    against the project's `config:` schema (pulumi/pulumi sdk/go/common/workspace/project.go,
    ValidateConfigValue: an array's elements are checked against `items.type`)."""
    expected = YAML_TYPES.get(declared)
    if expected is None:
        return
    item_type = items.get("type") if declared == "array" and isinstance(items, dict) else None
    shown_type = f"array<{item_type}>" if item_type in YAML_TYPES else declared
    if not _is_of(value, declared) or (
        item_type in YAML_TYPES and not all(_is_of(item, item_type) for item in value)
    ):
        raise PreviewError(
            f"{stack_file.name}: configuration value {key!r} = {_shown_value(value)} is not of type "
            f"{shown_type} as Pulumi.yaml declares; set it to {_with_article(shown_type)}"
        )


def _is_of(value: Any, declared: str) -> bool:
    expected = YAML_TYPES.get(declared)
    if expected is None:
        return True
    return isinstance(value, expected) and not (declared == "integer" and isinstance(value, bool))


def _shown_value(value: Any) -> str:
    """The value as the YAML user wrote it (null, true), escaped and cut short."""
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _with_article(type_name: str) -> str:
    """'an integer', 'a string': the error is read by people."""
    return f"{'an' if type_name[0] in 'aeiou' else 'a'} {type_name}"


def _is_schema(declaration: Any) -> bool:
    return isinstance(declaration, dict) and bool(declaration) and set(declaration) <= SCHEMA_KEYS


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _main_program(directory: Path, main: Any) -> Path:
    if main is not None and not isinstance(main, str):
        raise PreviewError(f"Pulumi.yaml: `main` must be a path (a string), got {main!r}")
    target = directory / main if main else directory
    program = target / "__main__.py" if target.is_dir() else target
    if not program.is_file():
        raise PreviewError(
            f"no program at {program}: write {program.name} or set `main:` in Pulumi.yaml"
        )
    return program


def _read_yaml(path: Path) -> dict:
    return go_yaml.read_mapping(path)
