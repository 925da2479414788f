"""Convert each resource's protobuf properties once per analyzer request, not once per policy.

pulumi-policy 1.21's analyzer calls `json_format.MessageToDict` on a resource's properties (and on its
provider's) inside its loop over policies: with our 19 policies every resource is converted 19 times by
`Analyze`, and once per stack policy by `AnalyzeStack`. The conversion is a pure function of the
message and the SDK only reads its result (`deserialize_properties` builds new containers), so handing
every policy the same dict changes nothing but the cost: the pack's evaluation time drops by about a
sixth at 100 services (bench/README.md). Conversions are forgotten when the request ends, so memory
stays bounded by one request. On any other pulumi-policy version this is a no-op: the loop it works
around may have changed, and the SDK then runs exactly as shipped.
"""

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pulumi_policy.policy as sdk_policy
from google.protobuf import json_format
from google.protobuf.message import Message
from pulumi_policy.version import VERSION

PATCHED_SDK_SERIES = "1.21."
REQUEST_METHODS = ("Analyze", "AnalyzeStack", "Remediate")


class RequestScopedJsonFormat:
    """Stands in for `json_format` inside pulumi_policy.policy only; every other caller is untouched."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real
        # id -> (message, dict): holding the message keeps its id from being reused while cached.
        self._converted: dict[int, tuple[Message, dict[str, Any]]] = {}

    def MessageToDict(self, message: Message, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return self._real.MessageToDict(message, *args, **kwargs)
        cached = self._converted.get(id(message))
        if cached is not None and cached[0] is message:
            return cached[1]
        converted = self._real.MessageToDict(message)
        self._converted[id(message)] = (message, converted)
        return converted

    def scoped(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """`method` with the conversions it made forgotten when it returns."""

        @functools.wraps(method)
        def handle_request(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            finally:
                self._converted.clear()

        return handle_request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def install() -> bool:
    """Share conversions across the policies of each request in this process; True when installed."""
    if not VERSION.startswith(PATCHED_SDK_SERIES) or sdk_policy.json_format is not json_format:
        return False
    memo = RequestScopedJsonFormat(json_format)
    servicer = sdk_policy._PolicyAnalyzerServicer
    for name in REQUEST_METHODS:
        setattr(servicer, name, memo.scoped(getattr(servicer, name)))
    sdk_policy.json_format = memo
    return True
