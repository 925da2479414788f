"""The resources as the engine shows them to an analyzer, built from what the program registered.

Faithful to the engine (pkg/resource/deploy/step_generator.go, sdk/go/common/resource/plugin/
analyzer_plugin.go): every registration is analyzed — the stack, components and providers too — in
registration order; a custom resource that names no provider gets the engine's default provider
(`pulumi:providers:<pkg>::default_<version>`, inputs = the stack's `<pkg>:` config plus `version`),
registered just before its first user; properties are marshalled with unknowns and secrets kept,
internal `__` keys dropped and resource references downgraded to their ID (unknown for a new
resource) or, for components, their URN. AnalyzeStack gets each resource's outputs: for a custom
resource on a first preview that is its inputs (we cannot add the provider's defaults), for a
component or the stack what it passed to `register_outputs`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from offline_preview.program_runner import ProgramRun
from offline_preview.registration import (
    PROVIDER_TYPE_PREFIX,
    RESOURCE_REF_SIG,
    SIG_KEY,
    UNKNOWN,
    RegisteredResource,
    default_provider_urn,
)

DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass
class EngineResource:
    """One resource as the engine holds it: the registration plus the resolved provider."""

    registration: RegisteredResource
    provider: RegisteredResource | None = None
    synthesized: bool = False  # a default provider the engine (not the program) registers

    @property
    def urn(self) -> str:
        return self.registration.urn


def engine_resources(run: ProgramRun, with_reads: bool = False) -> list[EngineResource]:
    """The engine's view of one program run, with default providers from the stack's config.

    Reads are left out unless asked for (the steps of `--json`): the engine analyzes none of them
    (see `ProgramRun`). A read names its default provider as a registration does (pkg/resource/
    deploy/source_eval.go `ReadResource`: `getDefaultProviderRef`; `pulumi` for a StackReference).
    """
    registrations = run.all_steps() if with_reads else run.resources
    return resolve_providers(registrations, lambda user: _default_provider(run, user))


def resolve_providers(
    registrations: Iterable[RegisteredResource],
    default_provider: Callable[[RegisteredResource], RegisteredResource] | None = None,
) -> list[EngineResource]:
    """Each registration with the provider the engine resolves for it, in registration order.

    An explicit provider is found by its URN among the registrations; a custom resource that names
    none gets `default_provider(resource)`, registered once per package and version just before its
    first user (without a factory it goes without, and so does its request).
    """
    registrations = list(registrations)
    by_urn = {r.urn: r for r in registrations}
    defaults: dict[str, RegisteredResource] = {}
    resources: list[EngineResource] = []
    for registered in registrations:
        provider = None
        if registered.provider:
            provider = by_urn.get(registered.provider_urn())
        elif default_provider is not None and registered.custom and not registered.is_provider:
            key = f"{registered.package}@{registered.version}"
            if key not in defaults:
                defaults[key] = default_provider(registered)
                resources.append(EngineResource(defaults[key], synthesized=True))
            provider = defaults[key]
        resources.append(EngineResource(registered, provider))
    return resources


def analyze_stack_request(resources: Iterable[EngineResource]) -> analyzer_pb2.AnalyzeStackRequest:
    """The one AnalyzeStack request of a preview: every resource, in registration order."""
    return analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r) for r in resources])


def analyze_request(resource: EngineResource) -> analyzer_pb2.AnalyzeRequest:
    registered = resource.registration
    return analyzer_pb2.AnalyzeRequest(
        type=registered.type,
        urn=registered.urn,
        name=registered.name,
        properties=marshal(registered.inputs),
        options=_options(registered),
        provider=_provider(resource.provider),
    )


def stack_resource(resource: EngineResource) -> analyzer_pb2.AnalyzerResource:
    registered = resource.registration
    properties = registered.inputs if registered.custom else (registered.outputs or {})
    return analyzer_pb2.AnalyzerResource(
        type=registered.type,
        urn=registered.urn,
        name=registered.name,
        properties=marshal(properties),
        options=_options(registered),
        provider=_provider(resource.provider),
        parent=registered.parent,
        dependencies=registered.dependencies,
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
            for key, urns in registered.property_dependencies.items()
            if urns  # the engine skips properties without dependencies
        },
    )


def marshal(properties: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(_for_analyzer(properties), struct)
    return struct


def _for_analyzer(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_REF_SIG:
            return _downgraded_reference(value)
        return {k: _for_analyzer(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_for_analyzer(v) for v in value]
    return value


def _downgraded_reference(reference: dict[str, Any]) -> Any:
    if "id" in reference:  # a custom resource: its ID, unknown until it is created
        return reference["id"] or UNKNOWN
    return reference.get("urn", "")


def _options(registered: RegisteredResource) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=registered.protect,
        ignoreChanges=registered.ignore_changes,
        deleteBeforeReplace=bool(registered.delete_before_replace),
        deleteBeforeReplaceDefined=registered.delete_before_replace is not None,
        additionalSecretOutputs=registered.additional_secret_outputs,
        aliases=registered.aliases,
        parent=registered.parent,
    )
    if registered.custom_timeouts:
        options.customTimeouts.CopyFrom(
            analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
                **{k: duration_seconds(v) for k, v in registered.custom_timeouts.items()}
            )
        )
    return options


def _provider(provider: RegisteredResource | None) -> analyzer_pb2.AnalyzerProviderResource | None:
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type,
        urn=provider.urn,
        name=provider.name,
        properties=marshal(provider.inputs),
    )


def _default_provider(run: ProgramRun, user: RegisteredResource) -> RegisteredResource:
    project = run.project
    prefix = f"{user.package}:"
    inputs: dict[str, Any] = {
        key[len(prefix) :]: value for key, value in project.config.items() if key.startswith(prefix)
    }
    if user.version:
        inputs["version"] = user.version
    urn = default_provider_urn(project.stack, project.name, user.package, user.version)
    return RegisteredResource(
        type=f"{PROVIDER_TYPE_PREFIX}{user.package}",
        name=urn.rsplit("::", 1)[1],
        urn=urn,
        custom=True,
        inputs=inputs,
        version=user.version,
    )


def duration_seconds(duration: str) -> float:
    """Go duration strings ("5m", "1h30m") as the engine parses custom timeouts (seconds)."""
    total, number = 0.0, ""
    index = 0
    while index < len(duration):
        char = duration[index]
        if char.isdigit() or char == ".":
            number += char
            index += 1
            continue
        unit = next(
            (
                u
                for u in sorted(DURATION_UNITS, key=len, reverse=True)
                if duration.startswith(u, index)
            ),
            None,
        )
        if unit is None or not number:
            return 0.0
        total += float(number) * DURATION_UNITS[unit]
        number, index = "", index + len(unit)
    return total
