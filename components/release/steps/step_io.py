"""What every step shares: its AWS clients, its settings, and one-line errors that never trace back.

A step's output lands in CodeBuild logs and on the terminals of whoever reads them, so every text
from outside (AWS answers, file contents, environment values) is printed through `safe()`.
"""

import os
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

EXIT_OK, EXIT_REFUSED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor moves)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (titles, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_ACTIONS = {
    "ListActionExecutions": "codepipeline",
    "GetObject": "s3",
    "CopyObject": "s3",
    "PutObject": "s3",
    "Sign": "kms",
    "Verify": "kms",
    "DescribeKey": "kms",
    "DescribeImages": "ecr",
    "DescribeImageScanFindings": "ecr",
    "ScanSbom": "inspector-scan",
    "GetAlias": "lambda",
    "GetFunctionConfiguration": "lambda",
    "DescribeAlarms": "cloudwatch",
}
"""IAM prefix of each call the steps make, so an AccessDenied names the action to grant."""

Settings = TypeVar("Settings")
"""A step's settings, read from its environment (`ConfirmSettings`, `VerifySettings`, ...)."""


class StepError(Exception):
    """A usage, configuration or AWS problem: one line, exit 2 (the release itself was not judged)."""


@dataclass(frozen=True)
class Clients:
    """The boto3 clients a step uses; tests pass clients of a moto server or a Stubber."""

    codepipeline: Any
    s3: Any
    kms: Any
    ecr: Any
    inspector_scan: Any
    lambda_: Any
    cloudwatch: Any = None
    """Only the publish step watches alarms (the bake)."""

    @classmethod
    def default(cls) -> "Clients":
        """Clients of the default session: CodeBuild's role and region."""
        import boto3

        session = boto3.session.Session()
        return cls(
            codepipeline=session.client("codepipeline"),
            s3=session.client("s3"),
            kms=session.client("kms"),
            ecr=session.client("ecr"),
            inspector_scan=session.client("inspector-scan"),
            lambda_=session.client("lambda"),
            cloudwatch=session.client("cloudwatch"),
        )


def safe(value: object) -> str:
    """`value` as one printable line: escape sequences dropped, control characters escaped."""
    text = _ESCAPE_SEQUENCE.sub("", str(value))
    out = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def required(environ: Mapping[str, str], name: str) -> str:
    """The value of environment variable `name`, which the stack sets on the project."""
    value = environ.get(name, "").strip()
    if not value:
        raise StepError(f"missing environment variable {name}")
    return value


def optional(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """The value of `name`, or `default` when unset or empty."""
    return environ.get(name, "").strip() or default


def names(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma list (`BuildOutput,ImageOutput`): at least one name, no blanks, no duplicates."""
    items = [item.strip() for item in required(environ, name).split(",")]
    if any(not item for item in items) or len(set(items)) != len(items):
        raise StepError(f"environment variable {name} is not a comma list of distinct names")
    return items


def optional_names(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma list that may be empty (unset or blank): no blanks, no duplicates otherwise."""
    return names(environ, name) if optional(environ, name) else []


def describe_client_error(error: ClientError) -> str:
    """`<Code> calling <service>:<Operation>: <message>`, e.g. an AccessDenied naming the action."""
    details = error.response.get("Error", {})
    operation = error.operation_name
    action = f"{_ACTIONS[operation]}:{operation}" if operation in _ACTIONS else operation
    code = details.get("Code") or "Error"
    message = details.get("Message") or ""
    return f"{code} calling {action}: {message}".rstrip(": ")


def refuse(step: str, problems: list[str]) -> int:
    """Print why the release is refused, one line per difference, and return exit code 1."""
    print(f"{step}: release refused ({len(problems)} problem(s)):", file=sys.stderr)
    for problem in problems:
        print(f"  - {safe(problem)}", file=sys.stderr)
    return EXIT_REFUSED


def run_step(step: str, body: Callable[[], int]) -> int:
    """Run `body`; turn every error into one line on stderr and its exit code (never a traceback)."""
    try:
        return body()
    except KeyboardInterrupt:
        message, code = "interrupted", EXIT_INTERRUPTED
    except StepError as error:
        message, code = str(error), EXIT_ERROR
    except ClientError as error:
        message, code = describe_client_error(error), EXIT_ERROR
    except NoCredentialsError:
        message, code = "no AWS credentials found (role, environment or profile)", EXIT_ERROR
    except BotoCoreError as error:
        message, code = f"AWS call failed: {error}", EXIT_ERROR
    except OSError as error:
        message, code = f"{type(error).__name__}: {error}", EXIT_ERROR
    except Exception as error:  # a bug must still end in one line, not a traceback in the log
        message, code = f"unexpected {type(error).__name__}: {error}", EXIT_ERROR
    print(f"{step}: error: {safe(message)}", file=sys.stderr)
    return code


def run_env_step(
    step: str,
    argv: Sequence[str] | None,
    environ: Mapping[str, str] | None,
    clients: Clients | None,
    read_settings: Callable[[Mapping[str, str]], Settings],
    run: Callable[[Settings, Clients], int],
) -> int:
    """Run a step that takes no arguments: its settings are environment variables.

    `read_settings` reads them from `environ` (`os.environ` when None); `run` runs the step with them
    and `clients` (those of the default session when None); every error ends as `run_step` ends it.
    """
    environment = os.environ if environ is None else environ

    def body() -> int:
        if argv:
            raise StepError(f"usage: release_steps.{step} takes no arguments (settings are env)")
        settings = read_settings(environment)
        return run(settings, clients or Clients.default())

    return run_step(step, body)
