"""`aws:iam/getPolicyDocument`, composed as the provider composes it: it makes no AWS call.

pulumi-aws bridges Terraform's `aws_iam_policy_document` data source; this follows its code
(terraform-provider-aws internal/service/iam/policy_document_data_source.go and policy_model.go):

- document keys in the order Version, Id, Statement; statement keys in the order Sid, Effect, Action,
  NotAction, Resource, NotResource, Principal, NotPrincipal, Condition; empty ones left out;
  `version` defaults to 2012-10-17, `effect` to Allow, `sid` must be alphanumeric and unique;
- actions, resources and principal identifiers are sets: one value is written as a string, several
  sorted in reverse order; `&{...}` becomes `${...}` in resources, identifiers and condition values
  (refused in a 2008-10-17 document);
- principals of one type are merged under that type; a lone `*` of type `*` is written as `"*"`;
  conditions group by test then variable, values in order, one value written as a string;
- sourcePolicyDocuments are merged first (their Sids must be unique), then the statements, then each
  overridePolicyDocument: a statement whose Sid is already present replaces it in place;
- `json` is Go's indented encoding (two spaces, `<`, `>`, `&` escaped as Go does), `minifiedJson` the
  compact one, `id` the CRC-32 of `json`.

Known difference: Terraform orders repeated principal or condition blocks of one type by a set hash;
we keep the program's order.
"""

import json
import re
import zlib
from typing import Any

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2008, VERSION_2012)
EFFECTS = ("Allow", "Deny")
SID_PATTERN = re.compile(r"^[a-zA-Z0-9]*$")
GO_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


class PolicyDocumentError(ValueError):
    """An argument the provider would refuse; the message is the provider's reason."""


def get_policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """The invoke's result, in wire form (camelCase), from its arguments."""
    version = args.get("version") or VERSION_2012
    if version not in VERSIONS:
        raise PolicyDocumentError(f"version {version!r} must be one of {', '.join(VERSIONS)}")
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}

    seen_sids: set[str] = set()
    for index, text in enumerate(args.get("sourcePolicyDocuments") or []):
        source = _parse_document(text, f"merging source document {index}")
        for position, statement in enumerate(source["Statement"]):
            sid = statement.get("Sid", "")
            if sid and sid in seen_sids:
                raise PolicyDocumentError(
                    f"merging source document {index}: duplicate Sid ({sid}) in "
                    f"source_policy_documents (statement {position}). Remove the Sid or ensure "
                    "Sids are unique."
                )
            if sid:
                seen_sids.add(sid)
        _merge(merged, source)

    current = {
        "Version": version,
        "Id": args.get("policyId") or "",
        "Statement": _statements(args.get("statements") or [], version),
    }
    _merge(merged, current)
    for index, text in enumerate(args.get("overridePolicyDocuments") or []):
        _merge(merged, _parse_document(text, f"merging override document {index}"))

    document = _document_json(merged)
    indented = _go_escape(json.dumps(document, indent=2, ensure_ascii=False))
    minified = _go_escape(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    return {
        **args,
        "id": str(zlib.crc32(indented.encode())),
        "json": indented,
        "minifiedJson": minified,
        "version": version,
    }


def _statements(configured: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    statements = []
    sids: set[str] = set()
    for raw in configured:
        sid = raw.get("sid") or ""
        if not SID_PATTERN.match(sid):
            raise PolicyDocumentError(f"sid {sid!r} must only include alphanumeric characters")
        if sid in sids:
            raise PolicyDocumentError(
                f"duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."
            )
        if sid:
            sids.add(sid)
        effect = raw.get("effect") or "Allow"
        if effect not in EFFECTS:
            raise PolicyDocumentError(f"effect {effect!r} must be Allow or Deny")
        statement: dict[str, Any] = {"Sid": sid, "Effect": effect}
        for key, field in (("actions", "Action"), ("notActions", "NotAction")):
            if raw.get(key):
                statement[field] = _string_set(raw[key])
        for key, field in (("resources", "Resource"), ("notResources", "NotResource")):
            if raw.get(key):
                statement[field] = _replace_variables(_string_set(raw[key]), version)
        for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if raw.get(key):
                statement[field] = [
                    (
                        str(p["type"]),
                        _replace_variables(_string_set(p.get("identifiers") or []), version),
                    )
                    for p in raw[key]
                ]
        if raw.get("conditions"):
            statement["Condition"] = [
                (
                    str(c["test"]),
                    str(c["variable"]),
                    _single_or_list(
                        _replace_variables([str(v) for v in c.get("values") or []], version)
                    ),
                )
                for c in raw["conditions"]
            ]
        statements.append(statement)
    return statements


def _string_set(values: list[Any]) -> str | list[str]:
    """A Terraform string set as the provider writes it: one value as a string, else reverse-sorted."""
    unique = sorted({str(v) for v in values}, reverse=True)
    return unique[0] if len(unique) == 1 else unique


def _single_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _replace_variables(value: str | list[str], version: str) -> str | list[str]:
    items = [value] if isinstance(value, str) else value
    for item in items:
        if version == VERSION_2008 and "&{" in item:
            raise PolicyDocumentError(
                f"found &{{ sequence in ({item}), which is not supported in document version "
                f"{VERSION_2008}"
            )
    replaced = [item.replace("&{", "${") for item in items]
    return replaced[0] if isinstance(value, str) else replaced


def _parse_document(text: Any, context: str) -> dict[str, Any]:
    """A source/override document as the provider unmarshals it into its model."""
    try:
        raw = json.loads(text)
    except (TypeError, json.JSONDecodeError) as exc:
        raise PolicyDocumentError(f"{context}: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("Statement", []), list):
        raise PolicyDocumentError(f"{context}: Statement must be a list of statements")
    statements = []
    for entry in raw.get("Statement") or []:
        if not isinstance(entry, dict):
            raise PolicyDocumentError(f"{context}: each statement must be an object")
        statement = {
            key: entry[key]
            for key in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource")
            if entry.get(key) is not None
        }
        for key in ("Principal", "NotPrincipal"):
            if key in entry:
                statement[key] = _parsed_principals(entry[key], context)
        if "Condition" in entry:
            statement["Condition"] = _parsed_conditions(entry["Condition"], context)
        statements.append(statement)
    return {
        "Version": str(raw.get("Version") or ""),
        "Id": str(raw.get("Id") or ""),
        "Statement": statements,
    }


def _parsed_principals(raw: Any, context: str) -> list[tuple[str, str | list[str]]]:
    if isinstance(raw, str):
        return [("*", ["*"])]
    if not isinstance(raw, dict):
        raise PolicyDocumentError(f'{context}: Principal must be "*" or an object')
    principals: list[tuple[str, str | list[str]]] = []
    for kind, identifiers in raw.items():
        if isinstance(identifiers, str):
            principals.append((kind, identifiers))
        elif isinstance(identifiers, list) and all(isinstance(i, str) for i in identifiers):
            principals.append((kind, sorted(identifiers)))
        else:
            raise PolicyDocumentError(f"{context}: Principal {kind} must be a string or strings")
    return principals


def _parsed_conditions(raw: Any, context: str) -> list[tuple[str, str, str | list[str]]]:
    if not isinstance(raw, dict):
        raise PolicyDocumentError(f"{context}: Condition must be an object")
    conditions: list[tuple[str, str, str | list[str]]] = []
    for test, variables in raw.items():
        for variable, values in (variables or {}).items():
            # The provider's model keeps strings, booleans (as "true"/"false") and string lists;
            # any other JSON value is dropped.
            if isinstance(values, bool):
                conditions.append((test, variable, "true" if values else "false"))
            elif isinstance(values, str):
                conditions.append((test, variable, [values]))
            elif isinstance(values, list):
                conditions.append((test, variable, [str(v) for v in values]))
    return conditions


def _merge(target: dict[str, Any], new: dict[str, Any]) -> None:
    if new["Id"]:
        target["Id"] = new["Id"]
    target["Version"] = max(target["Version"], new["Version"])
    for statement in new["Statement"]:
        sid = statement.get("Sid", "")
        existing = next(
            (i for i, s in enumerate(target["Statement"]) if sid and s.get("Sid") == sid), None
        )
        if existing is None:
            target["Statement"].append(statement)
        else:
            target["Statement"][existing] = statement


def _document_json(model: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if model["Version"]:
        document["Version"] = model["Version"]
    if model["Id"]:
        document["Id"] = model["Id"]
    if model["Statement"]:
        document["Statement"] = [_statement_json(s) for s in model["Statement"]]
    return document


def _statement_json(statement: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # Sid and Effect are Go strings (omitempty drops ""); the others are Go `any` values, dropped
    # only when absent, so a source document's "Resource": "" survives as in the provider.
    for key in ("Sid", "Effect"):
        if statement.get(key):
            out[key] = statement[key]
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if statement.get(key) is not None:
            out[key] = statement[key]
    for key in ("Principal", "NotPrincipal"):
        if statement.get(key):
            out[key] = _principals_json(statement[key])
    if statement.get("Condition"):
        out["Condition"] = _conditions_json(statement["Condition"])
    return out


def _principals_json(principals: list[tuple[str, str | list[str]]]) -> Any:
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in ("*", ["*"]):
        return "*"
    merged: dict[str, str | list[str]] = {}
    for kind, identifiers in principals:
        current = merged.get(kind)
        if isinstance(identifiers, list):
            items = [] if current is None else [current] if isinstance(current, str) else current
            merged[kind] = items + sorted(identifiers, reverse=True)
        elif current is None:
            merged[kind] = identifiers
        elif isinstance(current, str):
            merged[kind] = [current, identifiers]
        else:
            merged[kind] = [*current, identifiers]
    return {kind: merged[kind] for kind in sorted(merged)}  # Go sorts map keys


def _conditions_json(conditions: list[tuple[str, str, str | list[str]]]) -> dict[str, Any]:
    grouped: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        entry = grouped.setdefault(test, {}).setdefault(variable, [])
        entry.extend([values] if isinstance(values, str) else values)
    return {
        test: {
            variable: values[0] if len(values) == 1 else values
            for variable, values in sorted(grouped[test].items())
        }
        for test in sorted(grouped)
    }


def _go_escape(text: str) -> str:
    """Go's encoding/json escapes these even inside strings (HTML safety); so must we, byte for byte."""
    for char, escaped in GO_HTML_ESCAPES.items():
        text = text.replace(char, escaped)
    return text
