"""Which modules make up the pack: each concern module exports `POLICIES`, a list of policies."""

from importlib import import_module

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

PACK_NAME = "cicd-guardrails"

# One module per concern; the order is the order policies are listed by the engine.
POLICY_MODULES = (
    "cicd_guardrails.execution_role",
    "cicd_guardrails.iam_hygiene",
)

Policy = ResourceValidationPolicy | StackValidationPolicy


def all_policies() -> list[Policy]:
    """Every policy of the pack, in module order; names must be unique across modules."""
    policies: list[Policy] = []
    for module_name in POLICY_MODULES:
        policies.extend(import_module(module_name).POLICIES)
    return policies
