"""Runs one preview's resources through every policy pack, in the engine's order.

All packs run at once, as with the CLI. For each resource in registration order: Remediate on every
pack (only when a pack has remediating policies; their new properties replace the inputs), then Analyze
on every pack; at the end AnalyzeStack on every pack. Diagnostics of Analyze are attributed to the
analyzed resource, as the engine does; those of AnalyzeStack keep the URN the policy reported.
"""

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from offline_preview.analyzer_client import (
    AnalyzerCallError,
    PackManifest,
    PolicyPackProcess,
    pack_environment,
    read_manifest,
)
from offline_preview.engine_view import (
    EngineResource,
    analyze_request,
    engine_resources,
    stack_resource,
)
from offline_preview.errors import PreviewError
from offline_preview.policy_config import (
    ConfigLayer,
    PolicySchema,
    PolicySetting,
    read_config_file,
    resolve_settings,
)
from offline_preview.program_runner import ProgramRun
from offline_preview.stack_tags import stack_tags

LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
LEVEL_VALUES = {name: value for value, name in LEVEL_NAMES.items()}
POLICY_KINDS = {
    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
    analyzer_pb2.POLICY_TYPE_STACK: "stack",
}


@dataclass
class PolicyPackRequest:
    """One `--policy-pack DIR [--policy-pack-config FILE]` pair."""

    directory: Path
    config_file: Path | None = None


@dataclass
class PolicyViolation:
    pack: str
    pack_version: str
    policy: str
    level: str  # "mandatory" | "advisory"
    description: str
    message: str
    urn: str = ""


@dataclass
class PackReport:
    name: str
    version: str
    directory: Path
    policies: list[PolicySchema] = field(default_factory=list)
    violations: list[PolicyViolation] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # effective, after the config

    def relaxed(self) -> list[tuple[PolicySchema, str]]:
        """Mandatory policies the config disabled or downgraded, with their effective level."""
        return [
            (policy, self.levels[policy.name])
            for policy in self.policies
            if policy.enforcement_level == "mandatory"
            and self.levels.get(policy.name, "mandatory") in ("advisory", "disabled")
        ]

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"


@dataclass
class _RunningPack:
    process: PolicyPackProcess
    report: PackReport
    remediates: bool
    settings: dict[str, PolicySetting] = field(default_factory=dict)


def run_policy_packs(
    run: ProgramRun, requests: list[PolicyPackRequest], timeout: float | None = None
) -> list[PackReport]:
    """`timeout` (seconds) bounds each pack's start and each analyzer call; None: the defaults."""
    resources = engine_resources(run)
    with ExitStack() as stack:
        packs = [stack.enter_context(_started(run, request, timeout)) for request in requests]
        for resource in resources:
            for pack in packs:
                if pack.remediates:
                    _remediate(pack, resource)
            for pack in packs:
                response = _analyze(pack, "Analyze", analyze_request(resource), resource.urn)
                _collect(pack, response, default_urn=resource.urn)
        everything = analyzer_pb2.AnalyzeStackRequest(
            resources=[stack_resource(r) for r in resources]
        )
        # A stack policy that names no resource reports against the stack, as the CLI shows it.
        stack_urn = run.stack_resource.urn
        for pack in packs:
            response = _analyze(pack, "AnalyzeStack", everything, stack_urn)
            _collect(pack, response, default_urn="", fallback_urn=stack_urn)
        return [pack.report for pack in packs]


class _started:
    """Context manager: a started, configured pack, stopped on exit whatever happens."""

    def __init__(self, run: ProgramRun, request: PolicyPackRequest, timeout: float | None) -> None:
        self.run = run
        self.request = request
        self.manifest: PackManifest = read_manifest(request.directory)
        project = run.project
        self.tags = stack_tags(project)
        env = pack_environment(
            project.name, project.stack, project.config_env(), project.secret_keys
        )
        deadlines = {"start_timeout": timeout, "call_timeout": timeout} if timeout else {}
        self.process = PolicyPackProcess(self.manifest, env, **deadlines)

    def __enter__(self) -> _RunningPack:
        self.process.start()
        try:
            return self._configure()
        except BaseException:
            self.process.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.process.stop()

    def _configure(self) -> _RunningPack:
        project = self.run.project
        self.process.call(
            "Handshake",
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address="127.0.0.1:0",
                root_directory=str(self.manifest.directory),
                program_directory=str(self.manifest.directory),
            ),
        )
        self.process.call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=project.stack,
                project=project.name,
                organization="organization",
                dry_run=True,
                config=project.config_env(),
                config_secret_keys=project.secret_keys,
                tags=self.tags,
            ),
        )
        info = self.process.info()
        schemas = [_schema(policy) for policy in info.policies]
        version = self.manifest.version or info.version
        report = PackReport(info.name, version, self.request.directory, schemas)
        settings = self._settings(info, schemas)
        report.levels = {name: setting.enforcement_level for name, setting in settings.items()}
        _configure(self.process, settings)
        remediates = any(s.enforcement_level == "remediate" for s in settings.values())
        return _RunningPack(self.process, report, remediates, settings)

    def _settings(
        self, info: analyzer_pb2.AnalyzerInfo, schemas: list[PolicySchema]
    ) -> dict[str, PolicySetting]:
        # The pack's own initial config first, then the file: the file wins, as with the CLI.
        initial: dict = {}
        for name, config in info.initialConfig.items():
            entry = json_format.MessageToDict(config.properties)
            # proto3 cannot tell "advisory" from "not set": only a non-default level counts.
            if config.enforcementLevel:
                entry["enforcementLevel"] = LEVEL_NAMES[config.enforcementLevel]
            initial[name] = entry
        layers = [ConfigLayer(f"policy pack {info.name}", initial)]
        if self.request.config_file is not None:
            layers.append(
                ConfigLayer(
                    f"--policy-pack-config {self.request.config_file}",
                    read_config_file(self.request.config_file),
                )
            )
        return resolve_settings(layers, info.name, schemas)


def _analyze(pack: _RunningPack, method: str, request: object, urn: str) -> object:
    """One Analyze/AnalyzeStack call; when a policy raises, the error names the pack, the policy
    and the resource, like the engine's report of a failing policy."""
    try:
        return pack.process.call(method, request)
    except AnalyzerCallError as error:
        policy = _policy_that_raises(pack, method, request)
        who = (
            f"policy {policy} of pack {pack.report.label}"
            if policy
            else f"pack {pack.report.label}"
        )
        raise PreviewError(f"{who} raised in {method} of {urn}: {error.detail}") from None


def _policy_that_raises(pack: _RunningPack, method: str, request: object) -> str:
    """The SDK's error does not name the policy: enable one policy at a time until one raises."""
    kind = "stack" if method == "AnalyzeStack" else "resource"
    enabled = [
        name
        for name, setting in pack.settings.items()
        if setting.enforcement_level != "disabled"
        and next((p.kind for p in pack.report.policies if p.name == name), "") in (kind, "")
    ]
    for candidate in enabled:
        only = {
            name: PolicySetting(
                setting.enforcement_level if name == candidate else "disabled", setting.properties
            )
            for name, setting in pack.settings.items()
        }
        _configure(pack.process, only)
        try:
            pack.process.call(method, request)
        except AnalyzerCallError:
            return candidate
    return ""


def _configure(process: PolicyPackProcess, settings: dict[str, PolicySetting]) -> None:
    process.call(
        "Configure",
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={name: _policy_config(setting) for name, setting in settings.items()}
        ),
    )


def _remediate(pack: _RunningPack, resource: EngineResource) -> None:
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
    pack: _RunningPack,
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


def _schema(policy: analyzer_pb2.PolicyInfo) -> PolicySchema:
    properties = json_format.MessageToDict(policy.configSchema.properties)
    return PolicySchema(
        name=policy.name,
        enforcement_level=LEVEL_NAMES.get(policy.enforcementLevel, "advisory"),
        properties=properties,
        required=list(policy.configSchema.required),
        description=policy.description,
        remediation=policy.remediation_steps,
        url=policy.url,
        kind=POLICY_KINDS.get(policy.policy_type, ""),
    )


def _policy_config(setting: PolicySetting) -> analyzer_pb2.PolicyConfig:
    config = analyzer_pb2.PolicyConfig(enforcementLevel=LEVEL_VALUES[setting.enforcement_level])
    config.properties.update(setting.properties)
    return config
