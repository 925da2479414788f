"""The explanation as one JSON document for tools: the model's fields in camelCase, times in UTC."""

import dataclasses
import json
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from troubleshoot.model import Explanation


def json_document(explanation: Explanation, exit_code: int) -> dict[str, Any]:
    document = plain(explanation)
    for action, model in zip(document["failedActions"], explanation.failed_actions, strict=True):
        if model.deployment:
            action["deployment"]["firedAlarms"] = [
                alarm.name for alarm in model.deployment.fired_alarms
            ]
        if model.alarms:
            action["firedAlarms"] = [alarm.name for alarm in model.fired_alarms]
    if explanation.stopped_by:  # the same key as the error document of an exit-2 failure
        document["error"] = " ".join(explanation.stopped_by.split())
    document["exitCode"] = exit_code
    return document


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False)


def plain(value: Any) -> Any:
    """A model value as JSON values: dataclass fields in camelCase, enums by value, times in UTC."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _camel(field.name): plain(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
