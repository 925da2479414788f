"""Convert each resource's protobuf properties once per analyzer request, not once per policy.

pulumi-policy 1.21's analyzer calls `json_format.MessageToDict` on a resource's properties (and on its
provider's) inside its loop over policies: with our 24 policies every resource is converted 19 times by
`Analyze`, and once per stack policy by `AnalyzeStack`. The conversion is a pure function of the
message and the SDK only reads its result (`deserialize_properties` builds new containers), so handing
every policy the same dict changes nothing but the cost: the pack's evaluation time drops by about a
sixth at 100 services (bench/README.md). Conversions are forgotten when the request ends, so memory
stays bounded by one request. On any other pulumi-policy version this is a no-op: the loop it works
around may have changed, and the SDK then runs exactly as shipped.

The same loop also deserialises each converted dict (`deserialize_properties`), wraps it in the
unknown-checking proxy (`unknown_checking_proxy`, which copies the whole property tree) and builds
the resource's provider (`_get_provider_resource`) and its options (`_get_resource_options`) once
per policy; `AnalyzeStack` does all of it for
every resource of the stack, once per stack policy. Each is a pure function of what it is given and
no policy of ours writes to properties, so they are shared across the policies of a request too.
`Remediate` deserialises with `keep_unknowns` and hands the result to a remediation that may change
it: calls with extra arguments are never shared, nor is the proxy of a dict not shared itself.
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


class RequestScopedDeserializer:
    """`deserialize_properties`, `unknown_checking_proxy` and `_get_provider_resource`, each once
    per request and argument."""

    def __init__(
        self,
        deserialize: Callable[..., Any],
        proxy: Callable[[Any], Any],
        provider: Callable[..., Any],
        options: Callable[..., Any] | None = None,
    ) -> None:
        self._deserialize = deserialize
        self._proxy = proxy
        self._provider = provider
        self._options = options
        # id -> (argument, result): holding the argument keeps its id from being reused while cached.
        self._deserialized: dict[int, tuple[Any, Any]] = {}
        self._shared_results: set[int] = set()
        self._proxies: dict[int, tuple[Any, Any]] = {}
        self._providers: dict[int, tuple[Any, Any]] = {}
        self._resource_options: dict[int, tuple[Any, Any]] = {}

    def deserialize_properties(self, properties: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self._deserialize(properties, *args, **kwargs)
        result = _memoized(self._deserialized, properties, self._deserialize)
        self._shared_results.add(id(result))
        return result

    def unknown_checking_proxy(self, deserialized: Any) -> Any:
        if id(deserialized) not in self._shared_results:
            return self._proxy(deserialized)
        return _memoized(self._proxies, deserialized, self._proxy)

    def provider_resource(self, servicer: Any, request: Any) -> Any:
        return _memoized(self._providers, request, lambda r: self._provider(servicer, r))

    def resource_options(self, servicer: Any, request: Any) -> Any:
        if self._options is None:
            raise TypeError("no resource-options builder to share")
        options = self._options
        return _memoized(self._resource_options, request, lambda r: options(servicer, r))

    def forget(self) -> None:
        self._deserialized.clear()
        self._shared_results.clear()
        self._proxies.clear()
        self._providers.clear()
        self._resource_options.clear()


def _memoized(
    cache: dict[int, tuple[Any, Any]], argument: Any, compute: Callable[[Any], Any]
) -> Any:
    cached = cache.get(id(argument))
    if cached is not None and cached[0] is argument:
        return cached[1]
    result = compute(argument)
    cache[id(argument)] = (argument, result)
    return result


def install() -> bool:
    """Share conversions across the policies of each request in this process; True when installed."""
    if not VERSION.startswith(PATCHED_SDK_SERIES) or sdk_policy.json_format is not json_format:
        return False
    memo = RequestScopedJsonFormat(json_format)
    servicer = sdk_policy._PolicyAnalyzerServicer
    shared = RequestScopedDeserializer(
        sdk_policy.deserialize_properties,
        sdk_policy.unknown_checking_proxy,
        servicer._get_provider_resource,
        servicer._get_resource_options,
    )
    for name in REQUEST_METHODS:
        setattr(servicer, name, memo.scoped(_forgetting(shared, getattr(servicer, name))))
    sdk_policy.json_format = memo
    sdk_policy.deserialize_properties = shared.deserialize_properties
    sdk_policy.unknown_checking_proxy = shared.unknown_checking_proxy

    def get_provider_resource(self: Any, request: Any) -> Any:
        return shared.provider_resource(self, request)

    def get_resource_options(self: Any, request: Any) -> Any:
        return shared.resource_options(self, request)

    servicer._get_provider_resource = get_provider_resource
    servicer._get_resource_options = get_resource_options
    return True


def _forgetting(
    shared: RequestScopedDeserializer, method: Callable[..., Any]
) -> Callable[..., Any]:
    @functools.wraps(method)
    def handle_request(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            shared.forget()

    return handle_request
