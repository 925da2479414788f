"""Create-time references between registered resources: which resource's inputs name which other.

The engine creates a resource as soon as everything in its dependencies exists and runs the rest in
parallel. AWS resolves many names and ARNs when the resource that holds them is created (a service
role, a key-policy principal, the log group of a metric filter), so a resource whose inputs name
another resource must reach it through dependencies, or its create call races the named resource.
Which API checks which input is not knowable from the registrations, so every reference counts except
the IAM elements that are never resolved (see UNRESOLVED_POLICY_ELEMENTS): an edge costs nothing and
also gives the engine the right order to delete in.

Everything here is a pure function of the registrations (wire-form inputs, camelCase), found by the
shape of names and ARNs, so that a resource type the program adds later is covered without a table
of types. A custom resource's identifiers:
- its physical name: for a type token `<package>:<module>/<kind>:<Type>`, the first string input among
  `<kind>Name` (codecommit/repository: repositoryName), `<kind>` (s3/bucket: bucket) and `name`;
- its ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`, where <service> is the module
  (or ARN_SERVICES' entry) and <resource>, without a trailing `/*` or `:*`, is the name or ends with
  `/<name>` or `:<name>` (log-group:/aws/codebuild/x, deploymentgroup:app/group, alias/x).
A string anywhere in another resource's inputs refers to it when it is one of its ARNs, or when it is
its bare name (or the name followed by `/path`, as an S3 location) in a property whose own name says
the kind (`role`, `logGroupName`, `RepositoryName`, `appName`; see `property_names_kind`): a metric
named like a build project is not the project. Each item of a comma-separated string counts, and
strings inside policy documents (JSON with a Statement) are walked too; tags and descriptions are
labels and never count.
"""

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from offline_preview.registration import SECRET_SIG, SIG_KEY, UNKNOWN, RegisteredResource

# Where the ARN's service differs from the module of the type token (pulumi-aws puts CloudWatch
# Logs and EventBridge under `cloudwatch`; the service authorization reference names their ARNs'
# service prefixes `logs` and `events`, and AWS Config's is `config`).
ARN_SERVICES = {
    "cloudwatch/logGroup": "logs",
    "cloudwatch/logMetricFilter": "logs",
    "cloudwatch/logStream": "logs",
    "cloudwatch/eventRule": "events",
    "cloudwatch/eventTarget": "events",
    "cloudwatch/eventBus": "events",
    "cfg": "config",
}
# Properties that hold a bare name without saying its kind. CodePipeline's ArtifactStore `location`
# is "the S3 bucket used for storing the artifacts" (CodePipeline API reference, ArtifactStore).
PROPERTY_KINDS = {"location": "bucket"}
# IAM evaluates these elements per request and does not look the named resources up when a policy is
# saved (IAM User Guide, "IAM JSON policy elements: Resource" and "...: Condition"). A Principal is
# looked up: a role ARN in a trust policy is turned into the role's unique ID when the policy is saved
# (IAM User Guide, "...: Principal"), and KMS CreateKey requires the key policy's principals to exist
# and be visible to KMS (KMS API reference, CreateKey, Policy).
UNRESOLVED_POLICY_ELEMENTS = frozenset({"Resource", "NotResource", "Condition"})
# Labels for people and billing, never resolved.
UNRESOLVED_KEYS = frozenset({"tags", "tagsAll"})
REFERENCE_WORDS = frozenset({"name", "names", "arn", "arns", "id", "ids"})
SHORTEST_ABBREVIATION = 3  # `app` for application; shorter stems would match too much
ARN_FIELDS = 6


@dataclass(frozen=True)
class Reference:
    """A string in `holder`'s inputs (at `path`) that names each of `targets` (URNs)."""

    holder: str
    path: str
    value: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    """What a custom resource is called by: its physical name and its ARN's service."""

    urn: str
    name: str
    arn_service: str
    kind: str  # the type token's <kind>, e.g. logGroup


def identities(resources: Iterable[RegisteredResource]) -> list[Identity]:
    """The identity of every custom resource whose physical name is known."""
    found = []
    for resource in resources:
        token = _module_and_kind(resource)
        name = physical_name(resource)
        if token is None or name is None or not resource.custom:
            continue
        module, kind = token
        service = ARN_SERVICES.get(f"{module}/{kind}", ARN_SERVICES.get(module, module))
        found.append(Identity(resource.urn, name, service, kind))
    return found


def physical_name(resource: RegisteredResource) -> str | None:
    """The input naming `resource` itself: `<kind>Name`, `<kind>` or `name` (see module docstring)."""
    key = _own_name_key(resource)
    return resource.inputs[key] if key else None


def _own_name_key(resource: RegisteredResource) -> str | None:
    token = _module_and_kind(resource)
    if token is None:
        return None
    kind = token[1]
    for key in (f"{kind}Name", kind, "name"):
        value = resource.inputs.get(key)
        if isinstance(value, str) and value and value != UNKNOWN:
            return key
    return None


def find_references(resources: list[RegisteredResource]) -> list[Reference]:
    """Every string in a custom resource's inputs that names another registered resource."""
    index = _NameIndex(identities(resources))
    found = []
    for holder in resources:
        if not holder.custom:
            continue
        own_name = _own_name_key(holder)
        named = {k: v for k, v in holder.inputs.items() if k != own_name}
        for path, key, value in _strings(named, "", ""):
            targets = tuple(t for t in index.named_by(key, value) if t != holder.urn)
            if targets:
                found.append(Reference(holder.urn, path, value, targets))
    return found


def property_names_kind(key: str, kind: str) -> bool:
    """Whether a property called `key` holds a bare name of a resource of `kind`.

    The property's last word, past a trailing Name/Arn/Id and a plural s, must be the kind's last
    word or its abbreviation: role/role, logGroupName/logGroup, DeploymentGroupName/deploymentGroup,
    appName/application, alarms/metricAlarm. `name` alone is a resource's own name, not a reference.
    """
    words = [w.lower() for w in _camel_words(key)]
    while words and words[-1] in REFERENCE_WORDS:
        words.pop()
    if not words:
        return False
    stem = words[-1]
    if stem.endswith("s") and not stem.endswith("ss"):
        stem = stem[:-1]
    stem = PROPERTY_KINDS.get(stem, stem)
    kind_word = _camel_words(kind)[-1].lower()
    return stem == kind_word or (len(stem) >= SHORTEST_ABBREVIATION and kind_word.startswith(stem))


def describe(resources: list[RegisteredResource], reference: Reference) -> list[str]:
    """`H (type, path) -> R (type) via "value"`, one line per target."""
    by_urn = {r.urn: r for r in resources}
    holder = by_urn[reference.holder]
    return [
        f"{holder.name} ({holder.type}, {reference.path}) -> "
        f'{by_urn[t].name} ({by_urn[t].type}) via "{reference.value}"'
        for t in reference.targets
    ]


class _NameIndex:
    def __init__(self, found: list[Identity]) -> None:
        self._by_name: dict[str, list[Identity]] = {}
        for identity in found:
            self._by_name.setdefault(identity.name, []).append(identity)

    def named_by(self, key: str, value: str) -> list[str]:
        arn = value.split(":", ARN_FIELDS - 1)
        if len(arn) == ARN_FIELDS and arn[0] == "arn":
            return self._by_arn(arn[2], arn[5])
        # The longest name the value starts with: a name, or an S3 location `bucket/prefix`.
        for name in _heads(value):
            urns = [i.urn for i in self._by_name.get(name, ()) if property_names_kind(key, i.kind)]
            if urns:
                return urns
        return []

    def _by_arn(self, service: str, resource: str) -> list[str]:
        resource = resource.removesuffix("/*").removesuffix(":*")
        # The longest tail that is a name is the most specific (deploymentgroup:app/group).
        for tail in _tails(resource):
            urns = [i.urn for i in self._by_name.get(tail, ()) if i.arn_service == service]
            if urns:
                return urns
        return []


def _heads(value: str) -> Iterator[str]:
    """`value`, then each part before a `/`, longest first."""
    yield value
    for index in range(len(value) - 1, 0, -1):
        if value[index] == "/":
            yield value[:index]


def _tails(resource: str) -> Iterator[str]:
    """`resource`, then each part after a `/` or `:`, longest first."""
    yield resource
    for index, char in enumerate(resource):
        if char in "/:":
            yield resource[index + 1 :]


def _strings(value: Any, path: str, key: str) -> Iterator[tuple[str, str, str]]:
    """(path, nearest property name, string) of every string that may name a resource."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            yield from _strings(value.get("value"), path, key)
            return
        for name, item in value.items():
            if name in UNRESOLVED_KEYS or name.lower().endswith("description"):
                continue
            yield from _strings(item, f"{path}.{name}" if path else name, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]", key)
    elif isinstance(value, str) and value != UNKNOWN:
        document = _policy_document(value)
        if document is None:
            # A list in a string-valued map (CodePipeline action configuration) is comma-separated.
            for item in value.split(","):
                yield path, key, item.strip()
        else:
            yield from _policy_strings(document, f"{path}#")


def _policy_strings(document: dict[str, Any], path: str) -> Iterator[tuple[str, str, str]]:
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    for index, statement in enumerate(statements if isinstance(statements, list) else []):
        if not isinstance(statement, dict):
            continue
        kept = {k: v for k, v in statement.items() if k not in UNRESOLVED_POLICY_ELEMENTS}
        yield from _strings(kept, f"{path}Statement[{index}]", "")


def _policy_document(text: str) -> dict[str, Any] | None:
    """`text` parsed, if it is an IAM-style policy document (a JSON object with a Statement)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and "Statement" in parsed else None


def _module_and_kind(resource: RegisteredResource) -> tuple[str, str] | None:
    """`aws:cloudwatch/logGroup:LogGroup` -> ("cloudwatch", "logGroup")."""
    parts = resource.type.split(":")
    if len(parts) != 3 or "/" not in parts[1]:
        return None
    module, kind = parts[1].split("/", 1)
    return module, kind


def _camel_words(text: str) -> list[str]:
    return re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", text) or [text]
