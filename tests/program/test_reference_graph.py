"""The reference detector on small synthetic registrations: what it takes for a reference, and when
it finds the holder waiting for what it names."""

import json

import pytest

from offline_preview.registration import SECRET_SIG, SIG_KEY, UNKNOWN, RegisteredResource
from tests.support.dependency_graph import unordered
from tests.support.reference_graph import (
    describe,
    find_references,
    physical_name,
    property_names_kind,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
PROJECT = "aws:codebuild/project:Project"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
COMPONENT = "guarded-delivery:things:Thing"
ROLE_ARN = "arn:aws:iam::123456789012:role/app-build"
BUCKET_ARN = "arn:aws:s3:::app-artifacts"


def registered(type_token, name, inputs=None, *, depends=(), parent="", **property_deps):
    return RegisteredResource(
        type=type_token,
        name=name,
        urn=urn(type_token, name),
        custom=not type_token.startswith("guarded-delivery:"),
        parent=parent,
        inputs=inputs or {},
        dependencies=[urn(*d) for d in depends],
        property_dependencies={k: [urn(*d) for d in v] for k, v in property_deps.items()},
    )


def urn(type_token, name):
    return f"urn:pulumi:test::project::{type_token}::{name}"


def role(name="build-role", physical="app-build"):
    return registered(ROLE, name, {"name": physical, "assumeRolePolicy": "{}"})


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def targets_of(resources, holder=None):
    """(path, target name) of the references held by `holder` (default: the last resource)."""
    holder_urn = (holder or resources[-1]).urn
    return sorted(
        (r.path, t.split("::")[-1])
        for r in find_references(resources)
        if r.holder == holder_urn
        for t in r.targets
    )


def test_a_role_policy_naming_its_role_without_a_dependency_is_reported_with_its_path():
    resources = [role(), registered(ROLE_POLICY, "build-policy", {"role": "app-build"})]
    missing = unordered(resources, find_references(resources))
    assert [line for r in missing for line in describe(resources, r)] == [
        f'build-policy ({ROLE_POLICY}, role) -> build-role ({ROLE}) via "app-build"'
    ]


@pytest.mark.parametrize(
    "holder",
    [
        registered(ROLE_POLICY, "p", {"role": "app-build"}, depends=[(ROLE, "build-role")]),
        registered(ROLE_POLICY, "p", {"role": "app-build"}, role=[(ROLE, "build-role")]),
    ],
    ids=["dependencies", "property dependencies"],
)
def test_a_dependency_or_property_dependency_orders_the_reference(holder):
    resources = [role(), holder]
    references = find_references(resources)
    assert len(references) == 1
    assert unordered(resources, references) == []


def test_a_path_through_another_resource_orders_the_reference():
    between = registered(KEY, "key", depends=[(ROLE, "build-role")])
    holder = registered(PROJECT, "project", {"serviceRole": ROLE_ARN}, depends=[(KEY, "key")])
    resources = [role(), between, holder]
    assert unordered(resources, find_references(resources)) == []


def test_a_dependency_on_a_component_stands_for_the_resources_under_it():
    outer = registered(COMPONENT, "outer")
    inner = registered("guarded-delivery:things:Inner", "inner", parent=outer.urn)
    held = registered(ROLE, "build-role", {"name": "app-build"}, parent=inner.urn)
    holder = registered(
        PROJECT, "project", {"serviceRole": ROLE_ARN}, depends=[(COMPONENT, "outer")]
    )
    resources = [outer, inner, held, holder]
    assert unordered(resources, find_references(resources)) == []


def test_a_dependency_of_the_parent_component_does_not_order_its_children():
    parent = registered(COMPONENT, "service", depends=[(ROLE, "build-role")])
    holder = registered(PROJECT, "project", {"serviceRole": ROLE_ARN}, parent=parent.urn)
    resources = [role(), parent, holder]
    assert len(unordered(resources, find_references(resources))) == 1


def test_a_policy_principal_is_a_reference_but_resource_and_condition_are_not():
    document = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": [ROLE_ARN]},
            "Action": "kms:Decrypt",
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
            "Condition": {"ArnEquals": {"aws:SourceArn": BUCKET_ARN}},
        }
    )
    bucket = registered(BUCKET, "bucket", {"bucket": "app-artifacts"})
    key = registered(KEY, "key", {"policy": document})
    assert targets_of([role(), bucket, key]) == [
        ("policy#Statement[0].Principal.AWS[0]", "build-role")
    ]


def test_an_arn_with_a_wildcard_suffix_and_an_s3_location_name_the_bucket():
    bucket = registered(BUCKET, "bucket", {"bucket": "app-artifacts"})
    holder = registered(
        PROJECT,
        "project",
        {"cache": {"location": "app-artifacts/build-cache"}, "logsArn": f"{BUCKET_ARN}/*"},
    )
    assert targets_of([bucket, holder]) == [("cache.location", "bucket"), ("logsArn", "bucket")]


def test_tags_descriptions_unknowns_and_own_names_are_not_references():
    bucket = registered(BUCKET, "bucket", {"bucket": "app-artifacts", "tags": {"bucket": "x"}})
    holder = registered(
        ROLE_POLICY,
        "p",
        {
            "tags": {"role": "app-build"},
            "description": BUCKET_ARN,
            "alarmDescription": ROLE_ARN,
            "role": UNKNOWN,
        },
    )
    assert find_references([role(), bucket, holder]) == []


def test_a_resource_does_not_refer_to_a_namesake_by_its_own_name():
    first = registered("aws:codecommit/repository:Repository", "one", {"repositoryName": "Repo"})
    second = registered("aws:codecommit/repository:Repository", "two", {"repositoryName": "Repo"})
    assert find_references([first, second]) == []


def test_a_secret_value_is_looked_into():
    holder = registered(ROLE_POLICY, "p", {"role": {SIG_KEY: SECRET_SIG, "value": "app-build"}})
    assert targets_of([role(), holder]) == [("role", "build-role")]


def test_a_bare_name_counts_only_where_the_property_names_its_kind():
    project = registered(PROJECT, "project", {"name": "app-build"})
    alarm = registered(
        ALARM,
        "alarm",
        {
            "name": "app-build-failed",
            "metricName": "app-build",
            "dimensions": {"ProjectName": "app-build"},
        },
    )
    assert targets_of([project, alarm]) == [("dimensions.ProjectName", "project")]


def test_each_item_of_a_comma_separated_list_is_a_reference():
    alarms = [registered(ALARM, n, {"name": n}) for n in ("app-errors", "app-latency")]
    pipeline = registered(
        "aws:codepipeline/pipeline:Pipeline",
        "pipeline",
        {"stages": [{"actions": [{"configuration": {"Alarms": "app-errors, app-latency"}}]}]},
    )
    path = "stages[0].actions[0].configuration.Alarms"
    assert targets_of([*alarms, pipeline]) == [(path, "app-errors"), (path, "app-latency")]


@pytest.mark.parametrize(
    ("key", "kind", "names_it"),
    [
        ("role", "role", True),
        ("logGroupName", "logGroup", True),
        ("groupName", "logGroup", True),
        ("DeploymentGroupName", "deploymentGroup", True),
        ("appName", "application", True),
        ("alarms", "metricAlarm", True),
        ("location", "bucket", True),
        ("kmsKeyId", "key", True),
        ("name", "logGroup", False),
        ("metricName", "project", False),
        ("ap", "application", False),
        ("clusterName", "project", False),
    ],
)
def test_property_names_kind(key, kind, names_it):
    assert property_names_kind(key, kind) is names_it


def test_an_arn_names_a_resource_of_its_service_only():
    rule = registered(EVENT_RULE, "rule", {"name": "app-on-push"})
    project = registered(PROJECT, "project", {"name": "app-on-push"})
    logs = registered(LOG_GROUP, "logs", {"name": "/aws/codebuild/app-build"})
    holder = registered(
        ALARM,
        "alarm",
        {
            "ruleArn": "arn:aws:events:us-east-1:123456789012:rule/app-on-push",
            "logsArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/app-build:*",
        },
    )
    assert targets_of([rule, project, logs, holder]) == [("logsArn", "logs"), ("ruleArn", "rule")]


def test_an_arn_names_the_resource_its_longest_tail_names():
    application = registered("aws:codedeploy/application:Application", "app", {"name": "app"})
    group = registered(
        "aws:codedeploy/deploymentGroup:DeploymentGroup",
        "group",
        {"appName": "app", "deploymentGroupName": "app-group"},
        depends=[("aws:codedeploy/application:Application", "app")],
    )
    holder = registered(
        ROLE,
        "deploy-role",
        {"target": "arn:aws:codedeploy:us-east-1:1:deploymentgroup:app/app-group"},
    )
    assert targets_of([application, group, holder]) == [("target", "group")]


def test_a_name_two_resources_share_is_reported_with_both():
    first, second = role("one", "shared"), role("two", "shared")
    holder = registered(ROLE_POLICY, "p", {"role": "shared"}, depends=[(ROLE, "one")])
    resources = [first, second, holder]
    (reference,) = find_references(resources)
    assert [t.split("::")[-1] for t in reference.targets] == ["one", "two"]
    assert unordered(resources, [reference]) == []


@pytest.mark.parametrize(
    ("resource", "name"),
    [
        (registered(BUCKET, "b", {"bucket": "app-artifacts"}), "app-artifacts"),
        (
            registered("aws:codecommit/repository:Repository", "r", {"repositoryName": "Repo"}),
            "Repo",
        ),
        (
            registered(
                "aws:codedeploy/deploymentGroup:DeploymentGroup",
                "g",
                {"appName": "app", "deploymentGroupName": "app-group"},
            ),
            "app-group",
        ),
        (registered(LOG_GROUP, "l", {"name": "/aws/codebuild/x"}), "/aws/codebuild/x"),
        (registered("aws:s3/bucketVersioning:BucketVersioning", "v", {"bucket": "x"}), None),
        (registered(BUCKET, "unnamed", {"bucket": UNKNOWN}), None),
    ],
)
def test_physical_name_is_the_input_that_names_the_resource_itself(resource, name):
    assert physical_name(resource) == name
