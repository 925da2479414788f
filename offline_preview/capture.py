"""A mock monitor that records every whole RegisterResourceRequest and answers as a first preview would.

The SDK's own `MockMonitor` hands `Mocks.new_resource` only type, name, inputs and provider; the engine
(and so a policy pack) also gets parent, dependencies, property dependencies and options. We keep the
whole request, give the URN the engine would give (full parent type chain, root stack not qualifying
its children), and answer a create the way the engine answers it during preview: no ID yet, and the
inputs echoed back as outputs, so every output the program did not set stays unknown. Invokes are
answered by `FixtureMocks`; one it cannot answer fails as a gRPC error, as the engine fails it.
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.mocks import MockCallArgs, MockEngine, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import engine_pb2, resource_pb2

from offline_preview.aws_regions import partition_of
from offline_preview.declaration_sites import position_of
from offline_preview.lookups.local_functions import (
    LOCAL_FUNCTIONS,
    AwsContext,
    LocalFunctionError,
)
from offline_preview.lookups.recorded import (
    STACK_REFERENCE,
    RecordedLookups,
    how_to_record,
    plain_args,
)
from offline_preview.registration import STACK_TYPE, RegisteredResource, make_urn

CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
REGION = "aws:index/getRegion:getRegion"
PARTITION = "aws:index/getPartition:getPartition"

SEVERITY_NAMES = {
    engine_pb2.DEBUG: "debug",
    engine_pb2.INFO: "info",
    engine_pb2.WARNING: "warning",
    engine_pb2.ERROR: "error",
}


class OfflineInvokeError(Exception):
    """An invoke the offline preview cannot answer; the program sees it as the invoke failing."""


class InvokeRpcError(grpc.RpcError):
    """How the engine fails an invoke: a gRPC error, which the SDK raises as a catchable exception.

    Any other exception escaping the monitor would be an RPC-level crash that fails the whole run at
    the end, even when the program caught it (pulumi/runtime/invoke.py, `do_invoke`).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self._message = message

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._message


class FixtureMocks(Mocks):
    """Answers invokes offline: account/region/partition from the fixture, pure functions locally,
    cloud reads from recorded lookups (`--lookups`); anything else fails as the engine fails it."""

    def __init__(
        self,
        account_id: str,
        region: str,
        extra_answers: Mapping[str, dict] | None = None,
        recorded: RecordedLookups | None = None,
    ) -> None:
        known = partition_of(region)
        partition = known.name if known else "aws-cn" if region.startswith("cn-") else "aws"
        dns_suffix = known.dns_suffix if known else "amazonaws.com"
        self.answers: dict[str, dict] = {
            CALLER_IDENTITY: {
                "accountId": account_id,
                "arn": f"arn:{partition}:iam::{account_id}:user/offline-preview",
                "userId": "AIDAOFFLINEPREVIEW",
                "id": account_id,
            },
            REGION: {
                "name": region,
                "region": region,
                "id": region,
                "description": known.region_descriptions.get(region, region) if known else region,
                "endpoint": f"ec2.{region}.{dns_suffix}",
            },
            PARTITION: {
                "partition": partition,
                "dnsSuffix": dns_suffix,
                "reverseDnsPrefix": ".".join(reversed(dns_suffix.split("."))),
                "id": partition,
            },
        }
        self.answers.update(extra_answers or {})
        self.context = AwsContext(region, partition)
        self.recorded = recorded or RecordedLookups()
        self.unanswered: list[str] = []

    def call(self, args: MockCallArgs) -> dict:
        if args.token in self.answers:
            return dict(self.answers[args.token])
        local = LOCAL_FUNCTIONS.get(args.token)
        if local is not None:
            try:
                return local(plain_args(args.args), self.context)
            except LocalFunctionError as exc:
                raise OfflineInvokeError(str(exc)) from None
        recorded = self.recorded.answer(args.token, args.args)
        if recorded is not None:
            return recorded
        self.unanswered.append(args.token)
        near_miss = self.recorded.near_miss(args.token, args.args)
        raise OfflineInvokeError(
            f"the offline preview cannot answer {args.token} (it reads the cloud); "
            + (f"in --lookups, {near_miss}; " if near_miss else "")
            + f"record the answer in a --lookups file: {how_to_record(args.token, args.args)}"
        )

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        # Only reads (`get`, StackReference) come here: their state comes from recorded lookups.
        key = (
            {"name": args.resource_id} if args.typ == STACK_REFERENCE else {"id": args.resource_id}
        )
        recorded = self.recorded.answer(args.typ, key)
        if recorded is None:  # an unanswered read fails as an unanswered invoke does
            self.unanswered.append(args.typ)
            what = "another stack" if args.typ == STACK_REFERENCE else "the cloud"
            raise OfflineInvokeError(
                f"the offline preview cannot answer {args.typ} (it reads {what}); record the "
                f"answer in a --lookups file: {how_to_record(args.typ, key)}"
            )
        return args.resource_id or "", recorded


@dataclass
class LogMessage:
    severity: str
    message: str
    urn: str = ""


class RecordingEngine(MockEngine):
    """Keeps the program's log messages (pulumi.log.*) for the report."""

    def __init__(self) -> None:
        super().__init__(logger=None)
        self.messages: list[LogMessage] = []

    def Log(self, request: Any) -> None:
        severity = SEVERITY_NAMES.get(request.severity, "info")
        if severity != "debug":
            self.messages.append(LogMessage(severity, request.message, request.urn))


class CaptureMonitor(MockMonitor):
    """Records registrations in order; `registrations` is the whole program as the engine saw it."""

    def __init__(self, mocks: Mocks, project: str, stack: str) -> None:
        super().__init__(mocks)
        self.project = project
        self.stack = stack
        self.registrations: list[RegisteredResource] = []
        self._lock = threading.Lock()
        self._by_urn: dict[str, RegisteredResource] = {}

    def RegisterResource(self, request: Any) -> Any:
        urn = make_urn(self.stack, self.project, request.parent, request.type, request.name)
        parent = self._by_urn.get(request.parent)
        source_file, source_line = position_of(
            request.sourcePosition.uri, request.sourcePosition.line
        )
        registered = RegisteredResource(
            type=request.type,
            name=request.name,
            urn=urn,
            custom=bool(request.custom),
            remote=bool(request.remote),
            parent=request.parent,
            inputs=json_format.MessageToDict(request.object),
            dependencies=list(request.dependencies),
            property_dependencies={
                key: list(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            provider=request.provider,
            # Unset protect/retainOnDelete are inherited from the parent, as the engine does.
            protect=request.protect
            if request.HasField("protect")
            else bool(parent and parent.protect),
            retain_on_delete=request.retainOnDelete
            if request.HasField("retainOnDelete")
            else bool(parent and parent.retain_on_delete),
            delete_before_replace=request.deleteBeforeReplace
            if request.deleteBeforeReplaceDefined
            else None,
            ignore_changes=list(request.ignoreChanges),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            aliases=list(request.aliasURNs),
            custom_timeouts=_custom_timeouts(request),
            version=request.version,
            import_id=request.importId,
            source_file=source_file,
            source_line=source_line,
        )
        with self._lock:
            self.registrations.append(registered)
            self._by_urn[urn] = registered
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, "", registered.inputs)
        if request.type == STACK_TYPE or not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # A create during preview: no ID yet, outputs are the inputs (the rest is unknown).
        return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)

    def ReadResource(self, request: Any) -> Any:
        """A `Resource.get` or StackReference: the engine's `read` step, recorded as such.

        The SDK's mock answers it (our `FixtureMocks.new_resource`, from `--lookups`); we record the
        request (ID, parent, dependencies, provider) and give the engine's URN, as
        pkg/resource/deploy/step_generator.go `GenerateReadSteps` does (`generateURN` from the parent).
        """
        response = super().ReadResource(request)
        urn = make_urn(self.stack, self.project, request.parent, request.type, request.name)
        source_file, source_line = position_of(
            request.sourcePosition.uri, request.sourcePosition.line
        )
        read = RegisteredResource(
            type=request.type,
            name=request.name,
            urn=urn,
            custom=True,  # GenerateReadSteps: `Custom: true`, `Protect: false`
            parent=request.parent,
            inputs=json_format.MessageToDict(request.properties),
            dependencies=list(request.dependencies),
            provider=request.provider,
            additional_secret_outputs=list(request.additionalSecretOutputs),
            version=request.version,
            source_file=source_file,
            source_line=source_line,
            read=True,
            id=request.id,
        )
        with self._lock:
            self.registrations.append(read)
            self._by_urn[urn] = read
        return resource_pb2.ReadResourceResponse(urn=urn, properties=response.properties)

    def Invoke(self, request: Any) -> Any:
        try:
            return super().Invoke(request)
        except OfflineInvokeError as exc:
            raise InvokeRpcError(str(exc)) from None

    def RegisterResourceOutputs(self, request: Any) -> Any:
        with self._lock:
            registered = self._by_urn.get(request.urn)
            if registered is not None:
                registered.outputs = json_format.MessageToDict(request.outputs)
        return empty_pb2.Empty()


def _custom_timeouts(request: Any) -> dict[str, str]:
    if not request.HasField("customTimeouts"):
        return {}
    timeouts = request.customTimeouts
    return {
        name: getattr(timeouts, name)
        for name in ("create", "update", "delete")
        if getattr(timeouts, name)
    }
