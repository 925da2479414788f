"""The floor's policy pack: `PolicyPack` needs at least one policy, so one that accepts everything."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def _accept(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Never reports: every resource still crosses the protocol and is deserialised by the SDK."""


PolicyPack(
    name="bench-empty",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        ResourceValidationPolicy(
            name="accept-everything",
            description="Accepts every resource; exists only because a pack needs one policy.",
            validate=_accept,
        )
    ],
)
