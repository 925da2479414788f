"""`--json`: one document for other tools — resources with inputs and parents, policy diagnostics."""

import json
from typing import Any

from offline_preview.preview import CREATE, PreviewResult

SCHEMA_VERSION = 1


def json_document(result: PreviewResult, exit_code: int) -> dict[str, Any]:
    """The `--json` document: long because it is the document's schema, one key per line."""
    run = result.run
    return {
        "version": SCHEMA_VERSION,
        "project": run.project.name,
        "stack": run.project.stack,
        "accountId": run.account_id,
        "region": run.region,
        "config": run.project.display_config(),
        "resources": [
            {
                "op": CREATE,
                "type": r.type,
                "name": r.name,
                "urn": r.urn,
                "parent": r.parent or None,
                "custom": r.custom,
                "provider": r.provider or None,
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "dependencies": r.dependencies,
                "propertyDependencies": {k: v for k, v in r.property_dependencies.items() if v},
                "inputs": r.inputs,
            }
            for r in result.shown_resources
        ],
        "outputs": run.outputs,
        "programDiagnostics": [
            {"severity": m.severity, "message": m.message, "urn": m.urn or None}
            for m in run.diagnostics
        ],
        "policyPacks": [
            {
                "name": pack.name,
                "version": pack.version,
                "path": str(pack.directory),
                "policies": [
                    {
                        "name": p.name,
                        "enforcementLevel": pack.levels.get(p.name, p.enforcement_level),
                        "declaredEnforcementLevel": p.enforcement_level,
                    }
                    for p in pack.policies
                ],
            }
            for pack in result.packs
        ],
        "policyViolations": [
            {
                "policyPack": v.pack,
                "policyPackVersion": v.pack_version,
                "policyName": v.policy,
                "enforcementLevel": v.level,
                "urn": v.urn or None,
                "resource": result.resource_label(v.urn) or None,
                "description": v.description,
                "message": v.message,
            }
            for v in result.violations
        ],
        "summary": {
            "create": len(result.shown_resources),
            "mandatory": len(result.mandatory),
            "advisory": len(result.advisory),
            "programErrors": len(run.errors),
        },
        "exitCode": exit_code,
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2)
