"""Run policies through the SDK's real analyzer servicer, with requests built as the engine builds them.

Why: a policy that only ever sees hand-made Python dicts is never exercised through the SDK's
unknown-checking proxy, its secret unwrapping, its enforcement-level resolution or its
"can't run policy ... during preview" path. Here every resource is a `RegisteredResource`, as the
program registers it (camelCase wire names, the engine's unknown and secret sentinels), and its
requests are built by the offline preview's own engine view (`offline_preview.engine_view`), so the
tests and `bin/preview` send one shape; they go to `_PolicyAnalyzerServicer.Analyze` /
`AnalyzeStack` after a `Configure` call, as `pulumi preview --policy-pack ... --policy-pack-config`
does.

Typical use::

    bucket = resource(BUCKET, "artifacts", {"bucket": UNKNOWN})
    result = analyze([S3_SSE_KMS], [bucket], config={"s3-sse-kms": {}})
    assert_violation(result, "s3-sse-kms", contains="artifacts")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline_preview.engine_view import EngineResource, resolve_providers
from offline_preview.engine_view import analyze_request as engine_analyze_request
from offline_preview.engine_view import analyze_stack_request as engine_analyze_stack_request
from offline_preview.registration import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    RegisteredResource,
    make_urn,
)

PACK_NAME = "cicd-guardrails"
PACK_VERSION = "0.0.1"  # what PolicyPack reports when PulumiPolicy.yaml has no version
PROJECT = "guarded-delivery"
STACK = "dev"


CANT_RUN_MARKER = "can't run policy"

_LEVEL_NAMES = {
    proto.ADVISORY: "advisory",
    proto.MANDATORY: "mandatory",
    proto.REMEDIATE: "remediate",
    proto.DISABLED: "disabled",
}
_LEVEL_TO_WIRE = {
    EnforcementLevel.ADVISORY: proto.ADVISORY,
    EnforcementLevel.MANDATORY: proto.MANDATORY,
    EnforcementLevel.REMEDIATE: proto.REMEDIATE,
    EnforcementLevel.DISABLED: proto.DISABLED,
}


def secret(value: Any) -> dict[str, Any]:
    """A property value as the engine sends a secret (the SDK unwraps it before policies see it)."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def resource(
    type_: str,
    name: str,
    props: Mapping[str, Any] | None = None,
    *,
    parent: RegisteredResource | None = None,
    depends_on: Iterable[RegisteredResource] = (),
    property_dependencies: Mapping[str, Iterable[RegisteredResource]] | None = None,
    protect: bool = False,
    provider: RegisteredResource | None = None,
) -> RegisteredResource:
    """A custom resource as the SDK registers it: engine URN, and every property dependency
    among its dependencies; an explicit provider is referenced as `<urn>::<id>` (id unknown)."""
    prop_deps = {
        key: [dep.urn for dep in deps] for key, deps in (property_dependencies or {}).items()
    }
    dependencies = [dep.urn for dep in depends_on]
    for urns in prop_deps.values():
        dependencies.extend(u for u in urns if u not in dependencies)
    parent_urn = parent.urn if parent is not None else ""
    return RegisteredResource(
        type=type_,
        name=name,
        urn=make_urn(STACK, PROJECT, parent_urn, type_, name),
        custom=True,
        parent=parent_urn,
        inputs=dict(props or {}),
        dependencies=dependencies,
        property_dependencies=prop_deps,
        provider=f"{provider.urn}::{UNKNOWN}" if provider is not None else "",
        protect=protect,
    )


@dataclass(frozen=True)
class Violation:
    """One diagnostic reported by a policy; `detail` is the message without the description."""

    policy: str
    message: str
    detail: str
    urn: str
    enforcement_level: str


@dataclass
class AnalysisResult:
    """Everything the pack reported: violations, and "can't run during preview" diagnostics."""

    violations: list[Violation] = field(default_factory=list)
    skipped: list[Violation] = field(default_factory=list)

    def of(self, policy: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == policy]

    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]


def policy_config_request(
    policies: Sequence[Policy],
    config: Mapping[str, Mapping[str, Any]] | None,
    pack_level: EnforcementLevel,
) -> proto.ConfigureAnalyzerRequest:
    """The Configure request the engine sends for `--policy-pack-config`.

    The engine reconciles the file with the pack first: every policy gets an entry, its enforcement
    level is the file's, else the policy's own, else the pack's; schema defaults fill absent keys.
    """
    config = config or {}
    unknown = set(config) - {p.name for p in policies}
    if unknown:
        raise ValueError(f"policy config names policies the pack does not have: {sorted(unknown)}")
    request = proto.ConfigureAnalyzerRequest()
    for policy in policies:
        entry = dict(config.get(policy.name, {}))
        level_name = entry.pop("enforcementLevel", None)
        level = (
            EnforcementLevel(level_name)
            if level_name is not None
            else policy.enforcement_level or pack_level
        )
        properties: dict[str, Any] = {}
        if policy.config_schema is not None:
            for key, schema in policy.config_schema.properties.items():
                if "default" in schema:
                    properties[key] = schema["default"]
        properties.update(entry)
        policy_config = proto.PolicyConfig(enforcementLevel=_LEVEL_TO_WIRE[level])
        policy_config.properties.update(properties)
        request.policyConfig[policy.name].CopyFrom(policy_config)
    return request


def make_servicer(
    policies: Sequence[Policy],
    config: Mapping[str, Mapping[str, Any]] | None = None,
    pack_level: EnforcementLevel = EnforcementLevel.MANDATORY,
) -> _PolicyAnalyzerServicer:
    """A configured servicer; the pack default mirrors `policies/__main__.py` (mandatory)."""
    servicer = _PolicyAnalyzerServicer(PACK_NAME, PACK_VERSION, list(policies), pack_level)
    servicer.Configure(policy_config_request(policies, config, pack_level), None)
    return servicer


def engine_view(resources: Iterable[RegisteredResource]) -> list[EngineResource]:
    """The resources as the offline preview shows them to a pack, each with its explicit provider.

    A provider is a registered resource like any other: pass it before its users. Resources that
    name none go without (the harness models no default provider).
    """
    resources = list(resources)
    known = {res.urn for res in resources}
    for res in resources:
        if res.provider and res.provider_urn() not in known:
            raise ValueError(
                f"{res.name} names provider {res.provider_urn()}, which is not among the "
                "resources analyzed; pass the provider before the resources that use it"
            )
    return resolve_providers(resources)


def analyze_request(
    res: RegisteredResource, provider: RegisteredResource | None = None
) -> proto.AnalyzeRequest:
    """The Analyze request of one resource, built by the offline preview's engine view."""
    return engine_analyze_request(EngineResource(res, provider))


def analyze_stack_request(resources: Iterable[RegisteredResource]) -> proto.AnalyzeStackRequest:
    """The AnalyzeStack request of these resources, built by the offline preview's engine view."""
    return engine_analyze_stack_request(engine_view(resources))


def collect(response: proto.AnalyzeResponse, result: AnalysisResult, default_urn: str = "") -> None:
    """Split a response's diagnostics into violations and preview skips."""
    for diag in response.diagnostics:
        detail = diag.message.removeprefix(diag.description).removeprefix("\n")
        violation = Violation(
            policy=diag.policyName,
            message=diag.message,
            detail=detail,
            urn=diag.urn or default_urn,
            enforcement_level=_LEVEL_NAMES[diag.enforcementLevel],
        )
        if CANT_RUN_MARKER in diag.message:
            result.skipped.append(violation)
        else:
            result.violations.append(violation)


def analyze(
    policies: Sequence[Policy],
    resources: Iterable[RegisteredResource],
    config: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    pack_level: EnforcementLevel = EnforcementLevel.MANDATORY,
) -> AnalysisResult:
    """Analyze each resource, then the whole stack, as one `pulumi preview` would.

    A resource policy's violation carries an empty urn on the wire (the engine attaches the
    resource); the harness fills it in so assertions can say which resource was refused.
    """
    view = engine_view(list(resources))
    servicer = make_servicer(policies, config, pack_level)
    result = AnalysisResult()
    for res in view:
        request = engine_analyze_request(res)
        collect(servicer.Analyze(request, None), result, default_urn=res.urn)
    collect(servicer.AnalyzeStack(engine_analyze_stack_request(view), None), result)
    return result


def _describe(result: AnalysisResult) -> str:
    lines = [f"  [{v.enforcement_level}] {v.policy} {v.urn}: {v.detail}" for v in result.violations]
    lines += [f"  [skipped] {v.policy}: {v.detail}" for v in result.skipped]
    return "\n".join(lines) or "  (nothing reported)"


def assert_violation(
    result: AnalysisResult,
    policy: str,
    contains: str | Iterable[str] = (),
    *,
    urn: str | None = None,
    level: str | None = None,
) -> Violation:
    """Exactly the violation we expect exists: by policy, message fragments, resource and level."""
    fragments = [contains] if isinstance(contains, str) else list(contains)
    for v in result.of(policy):
        if urn is not None and v.urn != urn:
            continue
        if level is not None and v.enforcement_level != level:
            continue
        if all(f in v.detail for f in fragments):
            return v
    raise AssertionError(
        f"expected a {policy!r} violation containing {fragments!r}"
        f"{f' on {urn}' if urn else ''}; got:\n{_describe(result)}"
    )


def assert_no_violations(result: AnalysisResult, policy: str | None = None) -> None:
    """No violation (of `policy`, or of any policy) and no policy skipped for unknown values."""
    violations = result.violations if policy is None else result.of(policy)
    skipped = [s for s in result.skipped if policy is None or s.policy == policy]
    if violations or skipped:
        raise AssertionError(
            f"expected no violations of {policy or 'any policy'}; got:\n{_describe(result)}"
        )


def assert_skipped(result: AnalysisResult, policy: str, contains: str = "") -> Violation:
    """The SDK reported "can't run policy ... during preview" for `policy` (an unknown was read)."""
    for s in result.skipped:
        if s.policy == policy and contains in s.detail:
            return s
    raise AssertionError(
        f"expected {policy!r} to be skipped during preview; got:\n{_describe(result)}"
    )
