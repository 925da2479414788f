"""Settings and names of the seed stacks, for the C2 component tests (source, build, deploy, ...)."""

import dataclasses
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.config import PlatformSettings, ServiceSettings, parse_settings
from components.shared.naming import PlatformNames, ServiceNames
from tests.support.mocked_program import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, PROJECT

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")
KEY_ARN = (
    f"arn:aws:kms:{FIXTURE_REGION}:{FIXTURE_ACCOUNT_ID}:key/11111111-2222-3333-4444-555555555555"
)
TAGS = {"project": PROJECT, "environment": "test", "service": "svc", "managed-by": "pulumi"}


@cache
def stack_settings(stack: str) -> PlatformSettings:
    """The validated settings of `Pulumi.<stack>.yaml`."""
    document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    prefix = f"{PROJECT}:"
    raw = {k[len(prefix) :]: v for k, v in document["config"].items() if k.startswith(prefix)}
    return parse_settings(raw, stack)


@cache
def building_settings(stack: str) -> PlatformSettings:
    """`stack`'s settings as a stack that builds its own releases (no `promoteFrom`).

    The component tests exercise the building pipeline with each stack's other settings (prod's
    approval, rollback alarms and one service of each platform); promoted stacks have tests of
    their own (`tests/components/release/`, `tests/program/`).
    """
    return dataclasses.replace(
        stack_settings(stack),
        promote_from="",
        promote_from_account_id="",
        promote_from_signing_key_arn="",
    )


def platform_names(stack: str = "prod") -> PlatformNames:
    return PlatformNames(PROJECT, stack, FIXTURE_ACCOUNT_ID, FIXTURE_REGION)


def service_of(platform: str, stack: str = "prod") -> ServiceSettings:
    """The first service of `stack` deploying to `platform` (prod has one of each)."""
    return next(s for s in stack_settings(stack).services if s.compute_platform == platform)


def names_of(service: ServiceSettings, stack: str = "prod") -> ServiceNames:
    return platform_names(stack).service(service.name, service.repository_name)


def all_stack_services() -> list[tuple[str, ServiceSettings]]:
    return [(stack, s) for stack in STACKS for s in stack_settings(stack).services]


def statements(document: str) -> list[dict[str, Any]]:
    """The statements of an IAM JSON document (which must be a known string)."""
    assert isinstance(document, str), f"policy is not a known string: {document!r}"
    parsed = json.loads(document)
    assert parsed["Version"] == "2012-10-17"
    return parsed["Statement"]


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def statement_by_sid(document: str, sid: str) -> dict[str, Any]:
    matches = [s for s in statements(document) if s.get("Sid") == sid]
    assert len(matches) == 1, f"expected one statement {sid!r}, got {len(matches)}"
    return matches[0]


def actions_of(document: str, effect: str = "Allow") -> set[str]:
    return {a for s in statements(document) if s["Effect"] == effect for a in as_list(s["Action"])}
