"""Entry point the Pulumi engine runs: it only assembles the pack (constructing it starts the server)."""

from pulumi_policy import EnforcementLevel, PolicyPack

from cicd_guardrails import PACK_NAME, all_policies
from cicd_guardrails.support import sdk_conversion_cache

sdk_conversion_cache.install()
PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=all_policies(),
)
