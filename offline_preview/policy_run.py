"""Runs one preview's resources through every policy pack, in the engine's order.

All packs run at once, as with the CLI. For each resource in registration order: Remediate on every
pack (only when a pack has remediating policies; their new properties replace the inputs), then Analyze
on every pack; at the end AnalyzeStack on every pack. Diagnostics of Analyze are attributed to the
analyzed resource, as the engine does; those of AnalyzeStack keep the URN the policy reported.
"""

from contextlib import ExitStack

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from offline_preview.analyzer_client import AnalyzerCallError
from offline_preview.engine_view import (
    EngineResource,
    analyze_request,
    analyze_stack_request,
    engine_resources,
)
from offline_preview.errors import PreviewError
from offline_preview.pack_report import PackReport, PolicyPackRequest, PolicyViolation
from offline_preview.pack_session import LEVEL_NAMES, RunningPack, StartedPack, policy_that_raises
from offline_preview.program_runner import ProgramRun

__all__ = ["PackReport", "PolicyPackRequest", "PolicyViolation", "run_policy_packs"]


def run_policy_packs(
    run: ProgramRun, requests: list[PolicyPackRequest], timeout: float | None = None
) -> list[PackReport]:
    """`timeout` (seconds) bounds each pack's start and each analyzer call; None: the defaults."""
    resources = engine_resources(run)
    with ExitStack() as stack:
        packs = [stack.enter_context(StartedPack(run, request, timeout)) for request in requests]
        for resource in resources:
            for pack in packs:
                if pack.remediates:
                    _remediate(pack, resource)
            for pack in packs:
                response = _analyze(pack, "Analyze", analyze_request(resource), resource.urn)
                _collect(pack, response, default_urn=resource.urn)
        everything = analyze_stack_request(resources)
        # A stack policy that names no resource reports against the stack, as the CLI shows it.
        stack_urn = run.stack_resource.urn
        for pack in packs:
            response = _analyze(pack, "AnalyzeStack", everything, stack_urn)
            _collect(pack, response, default_urn="", fallback_urn=stack_urn)
        return [pack.report for pack in packs]


def _analyze(pack: RunningPack, method: str, request: object, urn: str) -> object:
    """One Analyze/AnalyzeStack call; when a policy raises, the error names the pack, the policy
    and the resource, like the engine's report of a failing policy."""
    try:
        return pack.process.call(method, request)
    except AnalyzerCallError as error:
        policy = policy_that_raises(pack, method, request)
        who = (
            f"policy {policy} of pack {pack.report.label}"
            if policy
            else f"pack {pack.report.label}"
        )
        raise PreviewError(f"{who} raised in {method} of {urn}: {error.detail}") from None


def _remediate(pack: RunningPack, resource: EngineResource) -> None:
    response = pack.process.call("Remediate", analyze_request(resource))
    for remediation in getattr(response, "remediations", []):
        if remediation.diagnostic:
            pack.report.violations.append(
                PolicyViolation(
                    pack.report.name,
                    pack.report.version,
                    remediation.policyName,
                    "advisory",
                    remediation.description,
                    remediation.diagnostic,
                    resource.urn,
                )
            )
        elif remediation.HasField("properties"):
            resource.registration.inputs = json_format.MessageToDict(remediation.properties)


def _collect(
    pack: RunningPack,
    response: analyzer_pb2.AnalyzeResponse | None,
    default_urn: str,
    fallback_urn: str = "",
) -> None:
    """Violations of one response: Analyze's belong to `default_urn`, AnalyzeStack's to the URN the
    policy named, else `fallback_urn` (the stack)."""
    if response is None:
        return
    for diagnostic in response.diagnostics:
        level = LEVEL_NAMES.get(diagnostic.enforcementLevel, "advisory")
        pack.report.violations.append(
            PolicyViolation(
                pack=diagnostic.policyPackName or pack.report.name,
                pack_version=pack.report.version,
                policy=diagnostic.policyName,
                level="mandatory" if level == "remediate" else level,
                description=diagnostic.description,
                message=diagnostic.message,
                urn=default_urn or diagnostic.urn or fallback_urn,
            )
        )
