"""The role people and automation assume to start one service's pipeline, only from allowed networks.

Starting a release is the one thing this role does: `codepipeline:StartPipelineExecution` on this
pipeline, allowed only when `aws:SourceIp` is in the environment's allowed CIDRs, plus an explicit Deny of
the same action from anywhere else (the Deny survives any Allow someone attaches later), plus read-only
state of this pipeline from the same networks.

Who may assume it comes from config (`executionRolePrincipals`, default the account root: IAM policies in
the account then decide). No MFA condition, deliberately: the role is also for automation (a CI runner's
role), and role sessions never carry `aws:MultiFactorAuthPresent`, so an MFA condition would lock
automation out and push teams to widen the principals instead. The network is the guard here, and it is
checked twice: on assuming the role and on every start.
"""

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, statement
from components.shared.naming import ServiceNames
from components.shared.references import reference

START_ACTION = "codepipeline:StartPipelineExecution"
READ_ACTIONS = ("codepipeline:GetPipelineExecution", "codepipeline:GetPipelineState")
SOURCE_IP_KEY = "aws:SourceIp"
SOURCE_VPCE_KEY = "aws:SourceVpce"
MAX_SESSION_SECONDS = 3600
"""An hour: long enough to start and watch a release, short-lived if a session leaks."""


@dataclass(frozen=True)
class ExecutionRoleArgs:
    """Inputs of one service's execution role."""

    names: ServiceNames
    """Role name and the pipeline ARN it may start."""
    allowed_cidrs: tuple[str, ...]
    """Networks a release may be started from (validated: never 0.0.0.0/0 or ::/0)."""
    principals: tuple[str, ...]
    """IAM principal ARNs allowed to assume the role (config, default the account root)."""
    allowed_vpc_endpoints: tuple[str, ...] = ()
    """VPC endpoints (`vpce-...`) a release may also be started through; none by default."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the role."""


class ExecutionRole(pulumi.ComponentResource):
    """IAM role: start this pipeline, only from `allowed_cidrs`."""

    role: aws.iam.Role
    role_name: str
    role_arn: str
    trust_policy: str
    policy: str

    def __init__(
        self, name: str, args: ExecutionRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:execution_role:ExecutionRole", name, None, opts)
        role_names = args.names.execution_role
        self.role_name, self.role_arn = role_names.name, role_names.arn
        network = AllowedNetworks(args.allowed_cidrs, args.allowed_vpc_endpoints)
        self.trust_policy = execution_trust_policy(args.principals, network)
        self.policy = execution_policy(args.names.pipeline_arn, network)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=self.role_name,
            description=f"Start {args.names.pipeline_name}, only from allowed networks.",
            assume_role_policy=self.trust_policy,
            max_session_duration=MAX_SESSION_SECONDS,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-policy",
            name="start-pipeline-from-allowed-networks",
            role=reference(self.role_name, self.role),
            policy=self.policy,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"role_name": self.role_name, "role_arn": self.role_arn})


@dataclass(frozen=True)
class AllowedNetworks:
    """Where a release may come from: public CIDRs, and optionally VPC endpoints.

    A request made through a VPC endpoint carries no `aws:SourceIp` ("This key is included in the
    request context, except when the requester uses a VPC endpoint", IAM global condition keys), but
    `aws:SourceVpce`. So each is allowed by its own statement, and the Deny needs both conditions at
    once (they AND): "not from an allowed CIDR" alone would also deny every endpoint call, since a
    negated operator on a missing key is true (IAM condition operators: "If the policy condition
    requires that the key is not matched ... and the right key is not present, the condition is true").
    """

    cidrs: tuple[str, ...]
    vpc_endpoints: tuple[str, ...] = ()

    def allow_conditions(self) -> list[tuple[str, dict[str, Any]]]:
        """(Sid suffix, condition) for each way in."""
        ways = [("FromAllowedNetworks", {"IpAddress": {SOURCE_IP_KEY: list(self.cidrs)}})]
        if self.vpc_endpoints:
            ways.append(
                (
                    "ThroughAllowedVpcEndpoints",
                    {"StringEquals": {SOURCE_VPCE_KEY: list(self.vpc_endpoints)}},
                )
            )
        return ways

    def outside_condition(self) -> dict[str, Any]:
        """True only when the request comes neither from an allowed CIDR nor an allowed endpoint."""
        outside: dict[str, Any] = {"NotIpAddress": {SOURCE_IP_KEY: list(self.cidrs)}}
        if self.vpc_endpoints:
            outside["StringNotEquals"] = {SOURCE_VPCE_KEY: list(self.vpc_endpoints)}
        return outside


def execution_trust_policy(principals: tuple[str, ...], network: AllowedNetworks) -> str:
    """The configured principals may assume the role, and only from the allowed networks."""
    return policy_document(
        [
            statement(
                "Allow",
                ["sts:AssumeRole"],
                None,
                conditions=condition,
                sid=f"Assume{suffix}",
                principal={"AWS": list(principals)},
            )
            for suffix, condition in network.allow_conditions()
        ]
    )


def execution_policy(pipeline_arn: str, network: AllowedNetworks) -> str:
    """Allow start/read from the allowed networks; explicitly Deny start from anywhere else.

    `aws:SourceIp` is the caller's address only for calls made directly by the principal; when an AWS
    service calls on the principal's behalf (`aws:ViaAWSService`), it is the service's address, and a
    NotIpAddress Deny would block that call. StartPipelineExecution is always called directly (console,
    CLI, SDK), so the Deny blocks exactly the starts from other networks and nothing AWS needs.
    """
    allows = [
        statement("Allow", actions, [pipeline_arn], condition, sid=f"{verb}{suffix}")
        for suffix, condition in network.allow_conditions()
        for verb, actions in (("Start", [START_ACTION]), ("Read", list(READ_ACTIONS)))
    ]
    deny = statement(
        "Deny",
        [START_ACTION],
        [pipeline_arn],
        network.outside_condition(),
        sid="DenyStartFromOtherNetworks",
    )
    return policy_document([*allows, deny])
