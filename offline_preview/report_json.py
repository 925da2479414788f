"""`--json`: the document `pulumi preview --json` prints, plus the policy results the CLI leaves out.

The CLI's shape (pulumi/pulumi pkg/backend/display/json.go `ShowPreviewDigest`, pkg/display/json.go
`PreviewDigest`, `PreviewStep`, `PreviewDiagnostic`; sdk/go/common/apitype/core.go `ResourceV3`),
so that a jq script written for the CLI runs unchanged:
- `config`: key -> string, secrets blinded as `[secret]` (the prelude event's config);
- `steps`: one per resource in registration order, `{op, urn, provider?, newState, detailedDiff}`;
  a read (`Resource.get`, StackReference) is a step with op `read` whatever `--show-reads` says
  (json.go adds every ResourcePreEvent that `shouldShow`, which does not look at ShowReads), its
  `newState` as `GenerateReadSteps` makes it: `id`, the read's properties as inputs, `external`;
  default providers are internal steps the display never shows (pkg/engine/update.go `isInternalStep`);
  `newState` is the resource's state before the step runs: no `outputs` on a create; secrets as
  `[secret]` (json.go `stateForJSONOutput`); unknowns as the engine's unknown string;
- `diagnostics`: `{urn?, message, severity}`, the message led by its `error: `/`warning: ` prefix
  and ended by a newline (diag/sink.go `Stringify`); omitted when empty, as the CLI omits it;
- `changeSummary`: op -> count, without default providers and without reads (a first preview has
  no old state, so pkg/engine/update.go `shouldRecordReadStep` is false); `duration`: nanoseconds.
Beyond the CLI (it drops policy events from this document, pulumi/pulumi#18851): `policyPacks`,
`policyViolations`, then `project`, `stack`, `accountId` and `region` the run answered with, the stack
`outputs` (the CLI's first preview has none to show) and our `exitCode`.
"""

import json
from typing import Any

from offline_preview.engine_view import EngineResource, duration_seconds, engine_resources
from offline_preview.preview import CREATE, READ, PreviewResult
from offline_preview.registration import SECRET_SIG, SIG_KEY, UNKNOWN, RegisteredResource
from offline_preview.report_diagnostics import preview_diagnostics

SECRET_TEXT = "[secret]"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"  # pulumi.runtime.rpc._OUTPUT_VALUE_SIG
JSON_INDENT = 4  # json.go: json.MarshalIndent(&digest, "", "    ")


def json_document(result: PreviewResult, exit_code: int, duration_ns: int = 0) -> dict[str, Any]:
    run = result.run
    shown = {r.urn for r in run.all_steps()}
    steps = [
        _step(resource)
        for resource in engine_resources(run, with_reads=True)
        if resource.urn in shown
    ]
    document: dict[str, Any] = {"config": _config(run.project.display_config())}
    document["steps"] = steps
    diagnostics = [
        {
            **({"urn": d.urn} if d.urn else {}),
            "message": f"{d.prefix}{d.message}\n",
            "severity": d.severity,
        }
        for d in preview_diagnostics(result)
    ]
    if diagnostics:
        document["diagnostics"] = diagnostics
    if duration_ns:
        document["duration"] = duration_ns
    document["changeSummary"] = {CREATE: len(result.created)}
    document.update(_policy_results(result))
    document.update(
        project=run.project.name,
        stack=run.project.stack,
        accountId=run.account_id,
        region=run.region,
        outputs=_massaged(run.outputs),
        exitCode=exit_code,
    )
    return document


def _config(config: dict[str, Any]) -> dict[str, str]:
    """The prelude's config is map[string]string: structured values as their JSON text."""
    return {
        key: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for key, value in config.items()
    }


def _step(resource: EngineResource) -> dict[str, Any]:
    op = READ if resource.registration.read else CREATE
    step: dict[str, Any] = {"op": op, "urn": resource.urn}
    provider = _provider_reference(resource)
    if provider:
        step["provider"] = provider
    step["newState"] = _state(resource.registration, provider)
    step["detailedDiff"] = None  # no `omitempty` on PreviewStep.DetailedDiff
    return step


def _provider_reference(resource: EngineResource) -> str:
    """`<provider urn>::<id>`; a provider the engine creates in this preview has an unknown id."""
    if resource.registration.provider:
        return resource.registration.provider
    if resource.provider is not None:
        return f"{resource.provider.urn}::{UNKNOWN}"
    return ""


def _state(registered: RegisteredResource, provider: str) -> dict[str, Any]:
    """apitype.ResourceV3, its keys in the struct's order, `omitempty` ones left out when empty."""
    state: dict[str, Any] = {"urn": registered.urn, "custom": registered.custom}
    if registered.id:
        state["id"] = registered.id
    state["type"] = registered.type
    optional: list[tuple[str, Any]] = [
        ("inputs", _massaged(registered.inputs)),
        ("parent", registered.parent),
        ("protect", registered.protect),
        ("external", registered.read),
        ("dependencies", registered.dependencies),
        ("provider", provider),
        (
            "propertyDependencies",
            {k: v for k, v in registered.property_dependencies.items() if v},
        ),
        ("additionalSecretOutputs", registered.additional_secret_outputs),
        ("aliases", registered.aliases),
    ]
    state.update((key, value) for key, value in optional if value)
    # A pointer in ResourceV3, so always present; seconds (resource/custom_timeouts.go).
    state["customTimeouts"] = {
        k: duration_seconds(v) for k, v in registered.custom_timeouts.items()
    }
    optional = [
        ("importID", registered.import_id),
        ("retainOnDelete", registered.retain_on_delete),
        ("ignoreChanges", registered.ignore_changes),
    ]
    state.update((key, value) for key, value in optional if value)
    return state


def _massaged(value: Any) -> Any:
    """json.go, massagePropertyValue: secrets become `[secret]`; a known output value its value."""
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return SECRET_TEXT
        if signature == OUTPUT_VALUE_SIG:
            if value.get("secret"):
                return SECRET_TEXT
            return _massaged(value["value"]) if "value" in value else UNKNOWN
        return {k: _massaged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_massaged(v) for v in value]
    if isinstance(value, float) and value.is_integer():  # Go prints the float64 3 as 3, not 3.0
        return int(value)
    return value


def _policy_results(result: PreviewResult) -> dict[str, Any]:
    """The keys beyond the CLI: every pack with its effective levels, and every violation."""
    return {
        "policyPacks": [
            {
                "name": pack.name,
                "version": pack.version,
                "path": str(pack.directory),
                "policies": [
                    {
                        "name": p.name,
                        "enforcementLevel": pack.levels.get(p.name, p.enforcement_level),
                        "declaredEnforcementLevel": p.enforcement_level,
                    }
                    for p in pack.policies
                ],
            }
            for pack in result.packs
        ],
        "policyViolations": [
            {
                "policyPack": v.pack,
                "policyPackVersion": v.pack_version,
                "policyName": v.policy,
                "enforcementLevel": v.level,
                "urn": v.urn or None,
                "resource": result.resource_label(v.urn) or None,
                "description": v.description,
                "message": v.message,
            }
            for v in result.violations
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=JSON_INDENT)
