"""The stack's release-signing key and the log group the release steps write to.

The key is asymmetric (`SIGN_VERIFY`, `ECC_NIST_P256`): the private half never leaves KMS, so a
signature proves that a signer role called `kms:Sign`, and anyone holding the public key (or allowed
`kms:Verify`) can check it. Its policy makes the signer roles the only principals that can sign, even
against a later IAM policy that grants `kms:*`: the account root keeps administration (KMS refuses a
key policy that would lock the account out; "Default key policy" in the KMS developer guide), but an
explicit Deny refuses `kms:Sign` to every principal that is not a signer role (`aws:PrincipalArn` is
the role's ARN for its sessions; IAM's global condition keys reference) and any signing algorithm but
the pinned one. Verifier roles may only `kms:Verify` and read the public key.

KMS resolves the principals of a key policy when it stores it, so the policy is a `combine` of
references to the ready roles (`references.py`); it stays known at preview.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import policy_document, statement
from components.iam.grants import Statement
from components.release.release_actions import SIGNING_ALGORITHM, SIGNING_KEY_VERIFY_ACTIONS
from components.release.release_names import StackReleaseNames
from components.shared.references import combine, reference

KEY_SPEC = "ECC_NIST_P256"
KEY_USAGE = "SIGN_VERIFY"


@dataclass(frozen=True)
class ReleaseSigningArgs:
    """Inputs of the stack's release-signing key."""

    names: StackReleaseNames
    signer_role_arns: Sequence[pulumi.Input[str]]
    """References to every service's signer role: the only principals that may `kms:Sign`. Empty
    when nothing signs in this stack (it promotes and publishes nowhere): then there is no key."""
    verifier_role_arns: Sequence[pulumi.Input[str]]
    """References to the roles that may `kms:Verify` (every service's verifier)."""
    artifact_key_arn: pulumi.Input[str]
    """The artifact key: the steps' log group is encrypted with it."""
    log_retention_days: int
    tags: Mapping[str, str]
    deletion_window_days: int = 30
    downstream_grants: Sequence[Statement] = ()
    """Statements letting downstream stacks' verifier roles verify (exact role ARNs)."""
    protect: bool = True
    """Protect and retain the key (prod): a deleted key can no longer verify any past release."""


class ReleaseSigning(pulumi.ComponentResource):
    """Asymmetric signing key + alias, and the release steps' KMS-encrypted log group."""

    key: aws.kms.Key | None
    alias: aws.kms.Alias | None
    log_group: aws.cloudwatch.LogGroup
    key_alias_arn: pulumi.Output[str] | None
    """Reference to the alias (known at preview): what the steps sign and verify with."""
    key_arn: pulumi.Output[str] | None
    """The key's ARN (computed): a downstream in another account verifies with it."""
    log_group_name: pulumi.Output[str]
    """Reference to the steps' log group (known at preview)."""

    def __init__(
        self, name: str, args: ReleaseSigningArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:release:ReleaseSigning", name, None, opts)
        names = args.names
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=names.steps_log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.artifact_key_arn,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.log_group_name = reference(names.steps_log_group_name, self.log_group)
        self.key = self.alias = self.key_alias_arn = self.key_arn = None
        if args.signer_role_arns:
            self._declare_key(name, args)
        self.register_outputs(
            {"key_alias_arn": self.key_alias_arn, "log_group_name": self.log_group_name}
        )

    def _declare_key(self, name: str, args: ReleaseSigningArgs) -> None:
        names = args.names
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Signs the {names.platform.prefix} release manifests",
            key_usage=KEY_USAGE,
            customer_master_key_spec=KEY_SPEC,
            deletion_window_in_days=args.deletion_window_days,
            policy=combine(
                lambda arns: signing_key_policy(
                    names,
                    arns[: len(args.signer_role_arns)],
                    arns[len(args.signer_role_arns) :],
                    args.downstream_grants,
                ),
                [*args.signer_role_arns, *args.verifier_role_arns],
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=args.protect
            ),
        )
        self.alias = aws.kms.Alias(
            f"{name}-key-alias",
            name=names.signing_key_alias_name,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_alias_arn = reference(names.signing_key_alias_arn, self.alias)
        self.key_arn = self.key.arn


def signing_key_policy(
    names: StackReleaseNames,
    signer_role_arns: Sequence[str],
    verifier_role_arns: Sequence[str],
    downstream_grants: Sequence[Statement] = (),
) -> str:
    """Root administers; only the signer roles sign, with one algorithm; verifiers verify."""
    # In a key policy "Resource": "*" means "this key"; it is the only form AWS accepts there.
    this_key = ["*"]
    signers = sorted(set(signer_role_arns))
    return policy_document(
        [
            statement(
                "Allow",
                ["kms:*"],
                this_key,
                sid="AccountRootAdministersKey",
                principal={"AWS": names.platform.account_root_arn},
            ),
            statement(
                "Deny",
                ["kms:Sign"],
                this_key,
                conditions={"ArnNotEquals": {"aws:PrincipalArn": signers}},
                sid="OnlySignerRolesSign",
                principal="*",
            ),
            statement(
                "Deny",
                ["kms:Sign"],
                this_key,
                conditions={"StringNotEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM}},
                sid="OnlyPinnedAlgorithm",
                principal="*",
            ),
            statement(
                "Allow",
                ["kms:Sign"],
                this_key,
                conditions={"StringEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM}},
                sid="SignerRolesSignReleases",
                principal={"AWS": signers},
            ),
            statement(
                "Allow",
                SIGNING_KEY_VERIFY_ACTIONS,
                this_key,
                sid="VerifierRolesVerifyReleases",
                principal={"AWS": sorted(set(verifier_role_arns))},
            ),
            *downstream_grants,
        ]
    )
