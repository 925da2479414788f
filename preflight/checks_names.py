"""Physical names already taken, and what the stack adds against the account's quotas.

An existing resource of one of our names is a FAIL (`pulumi up` would fail with "already exists"),
unless it carries this stack's tags (`managed-by=pulumi`, `project`, `environment`): then it is
this stack's own, from an earlier `pulumi up`.
"""

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from preflight.context import Context, error_code, tag_dict
from preflight.model import Check, Status

OLDER_STACK = "an older stack, or another project of the same name?"
# Defaults from "Amazon EventBridge quotas" (300 rules per event bus, adjustable) and "IAM and AWS STS
# quotas" (1,000 roles per account, adjustable); the applied value is read from Service Quotas by these
# codes, and the documented default is used when Service Quotas does not answer for the code.
EVENT_RULES_QUOTA = ("events", "L-244521F2", 300, "EventBridge rules per event bus")
IAM_ROLES_QUOTA = ("iam", "L-FE177D64", 1000, "IAM roles per account")

Owned = Callable[[str], bool | None]
"""Whether an existing resource of this name is this stack's (None: it does not exist)."""


def collision_checks(context: Context) -> list[Check]:
    plan = context.plan
    return [
        _bucket(context),
        _names(context, "iam-roles", "IAM role", plan.roles, lambda n: _role(context, n)),
        _projects(context),
        _names(context, "pipelines", "pipeline", plan.pipelines, lambda n: _pipeline(context, n)),
        _aliases(context),
        _names(
            context,
            "ecr-repositories",
            "ECR repository",
            plan.ecr_repositories,
            lambda n: _repository(context, n),
        ),
    ]


def _verdict(check: str, what: str, names: tuple[str, ...], found: dict[str, bool]) -> Check:
    foreign = [name for name in names if found.get(name) is False]
    ours = [name for name in names if found.get(name)]
    if foreign:
        return Check(
            check,
            Status.FAIL,
            f"{what}(s) {', '.join(foreign)} already exist, not tagged as this stack's",
            f"{OLDER_STACK} delete or rename them, or import them into this stack "
            "(`pulumi import`), before `pulumi up`",
        )
    if not names:
        return Check(check, Status.OK, f"the stack creates no {what}")
    free = len(names) - len(ours)
    already = f"; {len(ours)} already this stack's" if ours else ""
    return Check(check, Status.OK, f"{free} of {len(names)} {what} name(s) free{already}")


def _names(context: Context, check: str, what: str, names: tuple[str, ...], owned: Owned) -> Check:
    found = {}
    for name in names:
        answer = owned(name)
        if answer is not None:
            found[name] = answer
    return _verdict(check, what, names, found)


def _bucket(context: Context) -> Check:
    bucket = context.plan.bucket
    try:
        context.call(
            "s3",
            "head_bucket",
            "check the artifact bucket's name is free",
            ("404", "NoSuchBucket", "403", "AccessDenied", "Forbidden"),
            Bucket=bucket,
        )
    except ClientError as error:
        if error_code(error) in ("404", "NoSuchBucket"):
            return Check("bucket", Status.OK, f"{bucket} is free")
        return Check(
            "bucket",
            Status.FAIL,
            f"{bucket} exists and refuses this identity (403): owned by another account, or this "
            "one denies you",
            f"exists, owned by this or another account; {OLDER_STACK} delete it or deploy under "
            "another project or stack name",
        )
    try:
        tags = context.call(
            "s3",
            "get_bucket_tagging",
            "check whether the existing artifact bucket is this stack's",
            ("NoSuchTagSet",),
            Bucket=bucket,
        ).get("TagSet", [])
    except ClientError:
        tags = []
    if context.owned(tag_dict(tags)):
        return Check("bucket", Status.OK, f"{bucket} exists, already this stack's")
    return Check(
        "bucket",
        Status.FAIL,
        f"{bucket} exists in this account, not tagged as this stack's",
        f"exists, owned by this or another account; {OLDER_STACK} empty and delete it, or "
        "import it (`pulumi import`)",
    )


def _role(context: Context, name: str) -> bool | None:
    try:
        role = context.call(
            "iam",
            "get_role",
            "check the stack's IAM role names are free",
            ("NoSuchEntity",),
            RoleName=name,
        )["Role"]
    except ClientError:
        return None
    return context.owned(tag_dict(role.get("Tags")))


def _pipeline(context: Context, name: str) -> bool | None:
    try:
        answer = context.call(
            "codepipeline",
            "get_pipeline",
            "check the stack's pipeline names are free",
            ("PipelineNotFoundException",),
            name=name,
        )
    except ClientError:
        return None
    arn = answer.get("metadata", {}).get("pipelineArn") or context.names.arn("codepipeline", name)
    tags = context.call(
        "codepipeline",
        "list_tags_for_resource",
        "check whether an existing pipeline is this stack's",
        resourceArn=arn,
    ).get("tags", [])
    return context.owned(tag_dict(tags, "key", "value"))


def _repository(context: Context, name: str) -> bool | None:
    try:
        answer = context.call(
            "ecr",
            "describe_repositories",
            "check the stack's image repository names are free",
            ("RepositoryNotFoundException",),
            repositoryNames=[name],
        )
    except ClientError:
        return None
    arn = answer["repositories"][0]["repositoryArn"]
    tags = context.call(
        "ecr",
        "list_tags_for_resource",
        "check whether an existing image repository is this stack's",
        resourceArn=arn,
    ).get("tags", [])
    return context.owned(tag_dict(tags))


def _projects(context: Context) -> Check:
    names = context.plan.build_projects
    found: dict[str, bool] = {}
    for start in range(0, len(names), 100):  # BatchGetProjects takes up to 100 names
        answer = context.call(
            "codebuild",
            "batch_get_projects",
            "check the stack's CodeBuild project names are free",
            names=list(names[start : start + 100]),
        )
        for project in answer.get("projects", []):
            found[project["name"]] = context.owned(tag_dict(project.get("tags"), "key", "value"))
    return _verdict("codebuild-projects", "CodeBuild project", names, found)


def _aliases(context: Context) -> Check:
    wanted = context.plan.kms_aliases
    existing: dict[str, str] = {}
    for alias in _pages(
        context,
        "kms",
        "list_aliases",
        "check the stack's KMS alias names are free",
        "Aliases",
        "NextMarker",
        "Marker",
    ):
        if alias.get("AliasName") in wanted:
            existing[alias["AliasName"]] = alias.get("TargetKeyId", "")
    found = {}
    for name, key in existing.items():
        tags = context.call(
            "kms",
            "list_resource_tags",
            "check whether an existing alias's key is this stack's",
            KeyId=key,
        ).get("Tags", [])
        found[name] = context.owned(tag_dict(tags, "TagKey", "TagValue"))
    return _verdict("kms-aliases", "KMS alias", wanted, found)


def _pages(
    context: Context,
    service: str,
    operation: str,
    purpose: str,
    items: str,
    out_token: str,
    in_token: str,
    **params: Any,
) -> list[dict[str, Any]]:
    """Every item of a paginated listing (the page token is left out of the CLI command)."""
    result, token, seen = [], None, set()
    while True:
        page = context.call(
            service, operation, purpose, **params, **({in_token: token} if token else {})
        )
        result += page.get(items, [])
        token = page.get(out_token)
        if not token or token in seen:
            return result
        seen.add(token)


# Quotas -------------------------------------------------------------------------------------------


def quota_checks(context: Context) -> list[Check]:
    rules = _pages(
        context,
        "events",
        "list_rules",
        "count the default event bus's rules (quota 300)",
        "Rules",
        "NextToken",
        "NextToken",
    )
    existing_rules = {rule.get("Name") for rule in rules}
    roles = _pages(
        context,
        "iam",
        "list_roles",
        "count the account's IAM roles (quota 1000)",
        "Roles",
        "Marker",
        "Marker",
    )
    existing_roles = {role.get("RoleName") for role in roles}
    return [
        _quota(
            context,
            EVENT_RULES_QUOTA,
            "quota-event-rules",
            existing_rules,
            context.plan.default_bus_rules,
        ),
        _quota(context, IAM_ROLES_QUOTA, "quota-iam-roles", existing_roles, context.plan.roles),
    ]


def _quota(
    context: Context,
    quota: tuple[str, str, int, str],
    check: str,
    existing: set[str],
    adds: tuple[str, ...],
) -> Check:
    service, code, default, what = quota
    limit, source = default, "default"
    try:
        answer = context.call(
            "service-quotas",
            "get_service_quota",
            f"read the account's quota of {what}",
            ("NoSuchResourceException",),
            ServiceCode=service,
            QuotaCode=code,
        )
        limit, source = int(answer["Quota"]["Value"]), "applied"
    except ClientError:
        pass
    new = len([name for name in adds if name not in existing])
    total = len(existing) + new
    detail = f"{len(existing)} {what.split(' per ')[0]} + {new} from this stack = {total} of {limit} ({source} quota)"
    if total > limit:
        return Check(
            check,
            Status.FAIL,
            detail,
            f"request a higher quota (Service Quotas: {service} {code}) or remove unused ones",
        )
    return Check(check, Status.OK, detail)
