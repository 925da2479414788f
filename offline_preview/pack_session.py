"""A policy pack started and configured as the engine does it, and stopped whatever happens.

Start, Handshake, ConfigureStack (the stack's config and tags), GetAnalyzerInfo, then Configure with
the reconciled policy config. When a policy raises, the SDK's error does not say which: the session
re-configures the pack with one policy enabled at a time to find it.
"""

from dataclasses import dataclass, field

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from offline_preview.analyzer_client import (
    AnalyzerCallError,
    PackManifest,
    PolicyPackProcess,
    pack_environment,
    read_manifest,
)
from offline_preview.pack_report import PackReport, PolicyPackRequest
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
class RunningPack:
    process: PolicyPackProcess
    report: PackReport
    remediates: bool
    settings: dict[str, PolicySetting] = field(default_factory=dict)


class StartedPack:
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

    def __enter__(self) -> RunningPack:
        self.process.start()
        try:
            return self._configured()
        except BaseException:
            self.process.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.process.stop()

    def _configured(self) -> RunningPack:
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
        configure(self.process, settings)
        remediates = any(s.enforcement_level == "remediate" for s in settings.values())
        return RunningPack(self.process, report, remediates, settings)

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


def policy_that_raises(pack: RunningPack, method: str, request: object) -> str:
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
        configure(pack.process, only)
        try:
            pack.process.call(method, request)
        except AnalyzerCallError:
            return candidate
    return ""


def configure(process: PolicyPackProcess, settings: dict[str, PolicySetting]) -> None:
    process.call(
        "Configure",
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={name: _policy_config(setting) for name, setting in settings.items()}
        ),
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
