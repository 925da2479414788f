"""The account, the region's services, CodeCommit, the connections, AWS Config, the upstream."""

import boto3
from botocore.exceptions import ClientError

from components.release.promotion import upstream_of
from preflight.context import Context, error_code, error_message
from preflight.model import Check, Status
from troubleshoot.errors import ACCESS_DENIED_CODES

CODECOMMIT_FIX = (
    "use a CodeConnections source (connectionArn + fullRepositoryId): create the connection in the "
    "console (Developer Tools > Settings > Connections), authorise it, and set both keys on the "
    "service instead of repositoryName"
)
CODECOMMIT_CLOSED = frozenset({"OperationNotAllowedException", *ACCESS_DENIED_CODES})
CONNECTION_SERVICES = ("codeconnections", "codestar-connections")


def account_checks(context: Context) -> list[Check]:
    names = context.names
    detail = (
        f"{names.account_id} ({context.caller_arn}); names: prefix {names.prefix}, bucket "
        f"{names.artifact_bucket_name}, key alias {names.key_alias_name}"
    )
    expected = context.expected_account
    if expected and expected != names.account_id:
        return [
            Check(
                "account",
                Status.FAIL,
                f"the credentials are of account {names.account_id}, not {expected}",
                f"use credentials of account {expected} (AWS_PROFILE, `aws sso login`)",
            )
        ]
    return [Check("account", Status.OK, detail)]


def region_checks(context: Context) -> list[Check]:
    """From botocore's endpoint data: no call, so no CLI command."""
    region, partition = context.names.region, context.names.partition
    needed = {"codepipeline": "every pipeline", "codebuild": "every build"}
    platforms = {service.compute_platform for service in context.services}
    if platforms & {"Server", "ECS"}:
        needed["codedeploy"] = "Server and ECS deployments"
    builds = not context.settings.promotes
    if builds and any(service.connection is None for service in context.services):
        needed["codecommit"] = "CodeCommit sources"
    if builds and any(service.connection for service in context.services):
        # botocore's endpoint data names CodeConnections by its older endpoint prefix.
        needed["codestar-connections"] = "CodeConnections sources"
    if context.settings.compliance_rules:
        needed["config"] = "complianceRules"
    session = boto3.Session()
    missing = [
        f"{service} ({why})"
        for service, why in needed.items()
        if (regions := session.get_available_regions(service, partition)) and region not in regions
    ]
    if missing:
        return [
            Check(
                "region-services",
                Status.FAIL,
                f"{region} does not offer {', '.join(missing)}",
                "deploy the stack to a region that offers them (set aws:region or pass --region)",
            )
        ]
    return [Check("region-services", Status.OK, f"{region} offers {', '.join(sorted(needed))}")]


def codecommit_checks(context: Context) -> list[Check]:
    """CodeCommit is closed to new customers: a new account is refused even a listing."""
    users = [service.name for service in context.services if service.connection is None]
    if not users or context.settings.promotes:  # a promoted stack's source is the upstream's bucket
        return []
    who = f"service(s) {', '.join(users)} use CodeCommit"
    try:
        answer = context.call(
            "codecommit",
            "list_repositories",
            "find out whether the account may use CodeCommit (closed to new customers)",
            CODECOMMIT_CLOSED,
        )
    except ClientError as error:
        return [
            Check(
                "codecommit",
                Status.FAIL,
                f"{who}, but CodeCommit refused ListRepositories ({error_code(error)}: "
                f"{error_message(error)}): it is closed to new customers",
                CODECOMMIT_FIX,
            )
        ]
    count = len(answer.get("repositories", []))
    return [Check("codecommit", Status.OK, f"{who}; the account may use it ({count} repositories)")]


def connection_checks(context: Context) -> list[Check]:
    checks = []
    for service in context.services:
        if service.connection is None:
            continue
        arn = service.connection.connection_arn
        client = arn.split(":")[2] if arn.count(":") >= 5 else ""
        client = client if client in CONNECTION_SERVICES else "codeconnections"
        try:
            connection = context.call(
                client,
                "get_connection",
                f"check {service.name}'s CodeConnections connection exists and is AVAILABLE",
                ("ResourceNotFoundException",),
                ConnectionArn=arn,
            )["Connection"]
        except ClientError:
            checks.append(
                Check(
                    "connection",
                    Status.FAIL,
                    f"{arn} does not exist in this account and region",
                    "create the connection (console: Developer Tools > Settings > Connections), "
                    "authorise it, and set its ARN as the service's connectionArn",
                    service.name,
                )
            )
            continue
        status = connection.get("ConnectionStatus", "")
        what = (
            f"{connection.get('ConnectionName', '')} ({connection.get('ProviderType', '')}) "
            f"{status} for {service.connection.full_repository_id}"
        )
        if status == "AVAILABLE":
            checks.append(Check("connection", Status.OK, what, service=service.name))
        else:
            checks.append(
                Check(
                    "connection",
                    Status.FAIL,
                    what,
                    "authorise it in the console first (Developer Tools > Settings > Connections >"
                    " Update pending connection); a pipeline cannot use it until it is AVAILABLE",
                    service.name,
                )
            )
    return checks


def config_checks(context: Context) -> list[Check]:
    if not context.settings.compliance_rules:
        return []
    answer = context.call(
        "config",
        "describe_configuration_recorder_status",
        "check AWS Config records (complianceRules needs a recorder)",
    )
    statuses = answer.get("ConfigurationRecordersStatus", [])
    recording = [status["name"] for status in statuses if status.get("recording")]
    if recording:
        return [Check("aws-config", Status.OK, f"recorder {', '.join(recording)} is recording")]
    detail = (
        f"recorder {', '.join(s['name'] for s in statuses)} is not recording"
        if statuses
        else "no configuration recorder in this region"
    )
    return [
        Check(
            "aws-config",
            Status.FAIL,
            f"{detail}; complianceRules needs one",
            "set up AWS Config recording in this account and region (console: AWS Config > Get "
            "started, or `aws configservice start-configuration-recorder`), or set "
            "complianceRules: false",
        )
    ]


def promotion_checks(context: Context) -> list[Check]:
    upstream = upstream_of(context.settings, context.names)
    if upstream is None:
        return []
    bucket = upstream.names.artifact_bucket_name
    later = (
        f"create the upstream first: `pulumi up` of {upstream.stack} (the chain is deployed "
        "downstream first, so this is expected on this stack's first `pulumi up`), then rerun"
    )
    checks = []
    try:
        context.call(
            "s3",
            "head_bucket",
            f"check the upstream {upstream.stack}'s artifact bucket is reachable",
            ("404", "NoSuchBucket", "403", "AccessDenied"),
            Bucket=bucket,
        )
        checks.append(
            Check("promotion-bucket", Status.OK, f"{upstream.stack}'s bucket {bucket} is reachable")
        )
    except ClientError as error:
        if error_code(error) in ("404", "NoSuchBucket"):
            checks.append(
                Check(
                    "promotion-bucket",
                    Status.SKIP,
                    f"{upstream.stack}'s bucket {bucket} does not exist yet",
                    later,
                )
            )
        else:
            checks.append(
                Check(
                    "promotion-bucket",
                    Status.FAIL,
                    f"{upstream.stack}'s bucket {bucket} refuses this identity (403)",
                    f"check {upstream.stack}'s promoteTo names this stack (and its account) and "
                    f"that `pulumi up` of {upstream.stack} ran after this stack's roles existed",
                )
            )
    if upstream.signing_key_arn:
        checks.append(_upstream_key(context, upstream.stack, upstream.signing_key_arn, later))
    return checks


def _upstream_key(context: Context, stack: str, key_arn: str, later: str) -> Check:
    try:
        key = context.call(
            "kms",
            "describe_key",
            f"check {stack}'s release-signing key (promoteFromSigningKeyArn) can be described",
            ("NotFoundException", *ACCESS_DENIED_CODES),
            KeyId=key_arn,
        )["KeyMetadata"]
    except ClientError as error:
        return Check(
            "promotion-key",
            Status.SKIP,
            f"{key_arn} cannot be described yet ({error_code(error)})",
            f"{later}; promoteFromSigningKeyArn must be {stack}'s releaseSigningKeyArn output",
        )
    return Check(
        "promotion-key",
        Status.OK,
        f"{stack}'s signing key {key.get('Arn', key_arn)} is {key.get('KeyState', '')}",
    )
