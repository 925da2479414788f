"""Stand-in for the offline preview's analyzer client while it is not there: start a policy pack as the
engine does and call it over the analyzer protocol with the recorded registrations.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from bench.registrations import Registration

# The engine's address is unused by a pack that does not log through the engine.
ENGINE_ADDRESS = "127.0.0.1:0"
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}


class PackProcess:
    """A running policy pack and a stub to it; `close()` stops it."""

    def __init__(self, pack_dir: Path) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(pack_dir)],
            cwd=pack_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        port = self._process.stdout.readline().strip()
        if not port.isdigit():
            self.close()
            raise RuntimeError(
                f"policy pack {pack_dir} did not start: {self._process.stderr.read()}"
            )
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: dict[str, Any]) -> None:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy, settings in config.items():
            settings = dict(settings)
            level = settings.pop("enforcementLevel", "advisory")
            request.policyConfig[policy].enforcementLevel = LEVELS[level]
            request.policyConfig[policy].properties.update(settings)
        self.stub.Configure(request)

    def analyze(self, registrations: list[Registration]) -> list[analyzer_pb2.AnalyzeDiagnostic]:
        diagnostics: list[analyzer_pb2.AnalyzeDiagnostic] = []
        for r in registrations:
            request = analyzer_pb2.AnalyzeRequest(
                type=r.type,
                properties=_struct(r.inputs),
                urn=r.urn,
                name=r.name,
                options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect),
            )
            diagnostics.extend(self.stub.Analyze(request).diagnostics)
        return diagnostics

    def analyze_stack(
        self, registrations: list[Registration]
    ) -> list[analyzer_pb2.AnalyzeDiagnostic]:
        resources = [
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                properties=_struct(r.inputs),
                urn=r.urn,
                name=r.name,
                options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect),
                parent=r.parent,
                dependencies=r.dependencies,
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                    for k, v in r.property_dependencies.items()
                },
            )
            for r in registrations
        ]
        request = analyzer_pb2.AnalyzeStackRequest(resources=resources)
        return list(self.stub.AnalyzeStack(request).diagnostics)

    def close(self) -> None:
        self._process.kill()
        self._process.wait()


def _struct(inputs: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(inputs, struct_pb2.Struct())


def load_config(path: Path | None) -> dict[str, Any]:
    return json.loads(path.read_text()) if path else {}
