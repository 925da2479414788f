"""The source on its own: encrypted repository, push rule to the pipeline, protection in prod; and a
service whose source is a GitHub/GitLab/Bitbucket repository reached through CodeConnections."""

import json
from functools import cache
from typing import Any

import pytest

from components.stages.source import PushTrigger, PushTriggerArgs, Source, SourceArgs
from tests.support.mocked_program import declare
from tests.support.program_runs import recorded_options, run_main, stack_config_env
from tests.support.service_fixtures import (
    KEY_ARN,
    TAGS,
    actions_of,
    as_list,
    names_of,
    service_of,
    statements,
)

REPOSITORY = "aws:codecommit/repository:Repository"


def source(protect: bool = False):
    service = service_of("Server")
    names = names_of(service)
    args = SourceArgs(
        service=service,
        names=names,
        key_arn=KEY_ARN,
        protect=protect,
        tags=TAGS,
    )
    with recorded_options() as options:
        mocks = declare(lambda: Source("source", args))
    return mocks, options, service, names


def test_repository_is_named_from_config_and_encrypted_with_our_key():
    mocks, _, service, _ = source()
    [repository] = mocks.of_type(REPOSITORY)
    assert repository.inputs["repositoryName"] == f"guarded-delivery-prod-{service.repository_name}"
    assert repository.inputs["kmsKeyId"] == KEY_ARN
    assert repository.inputs["tags"] == TAGS


def push_trigger():
    service = service_of("Server")
    names = names_of(service)
    args = PushTriggerArgs(
        service=service,
        names=names,
        repository_arn=names.repository_arn,
        pipeline_arn=names.pipeline_arn,
        events_role_arn=names.events_role.arn,
        tags=TAGS,
    )
    return declare(lambda: PushTrigger("trigger", args)), service, names


def test_a_push_to_the_branch_starts_the_pipeline_through_the_events_role():
    mocks, service, names = push_trigger()
    [rule] = mocks.of_type("aws:cloudwatch/eventRule:EventRule")
    assert rule.inputs["name"] == names.source_rule_name
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["source"] == ["aws.codecommit"]
    assert pattern["detail-type"] == ["CodeCommit Repository State Change"]
    assert pattern["resources"] == [names.repository_arn]
    assert pattern["detail"] == {
        "event": ["referenceCreated", "referenceUpdated"],
        "referenceType": ["branch"],
        "referenceName": [service.branch],
    }
    [target] = mocks.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["rule"] == names.source_rule_name
    assert target.inputs["arn"] == names.pipeline_arn
    assert target.inputs["roleArn"] == names.events_role.arn


@pytest.mark.parametrize("protect", [True, False])
def test_repository_is_protected_and_retained_only_when_asked(protect):
    _, options, _, _ = source(protect=protect)
    [repository] = [o for o in options if o.typ == REPOSITORY]
    assert repository.protect is protect
    assert repository.retain_on_delete is protect
    assert len(options) == 2  # the component and its repository, nothing else to protect


# --- A source reached through CodeConnections, in the whole program ---

CONNECTION = "arn:aws:codestar-connections:us-east-1:123456789012:connection/" + (
    "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)


@cache
def declared_with_connection() -> Any:
    config = stack_config_env("dev")
    services = json.loads(config["guarded-delivery:services"])
    web = services[0]
    del web["repositoryName"]
    web.update(connectionArn=CONNECTION, fullRepositoryId="my-org/web")
    config["guarded-delivery:services"] = json.dumps([web])
    return run_main("dev", config)


def test_no_codecommit_repository_push_rule_or_events_role():
    mocks = declared_with_connection()
    assert mocks.of_type("aws:codecommit/repository:Repository") == []
    rules = [r.inputs["name"] for r in mocks.of_type("aws:cloudwatch/eventRule:EventRule")]
    assert not any(name.endswith("-on-push") for name in rules)
    roles = [r.inputs["name"] for r in mocks.of_type("aws:iam/role:Role")]
    assert not any(name.endswith("-events") for name in roles)


def test_the_pipeline_role_may_use_exactly_this_connection_and_no_repository():
    mocks = declared_with_connection()
    [policy] = [
        r.inputs["policy"]
        for r in mocks.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"].endswith("-pipeline")
    ]
    [use] = [s for s in statements(policy) if s.get("Sid") == "UseOwnConnection"]
    # The action's prefix follows the connection ARN's (codestar-connections here).
    assert as_list(use["Action"]) == ["codestar-connections:UseConnection"]
    assert as_list(use["Resource"]) == [CONNECTION]
    assert not any(a.startswith("codecommit:") for a in actions_of(policy))


def test_the_pipeline_starts_on_a_push_through_its_own_trigger():
    mocks = declared_with_connection()
    [pipeline] = mocks.of_type("aws:codepipeline/pipeline:Pipeline")
    [source] = pipeline.inputs["stages"][0]["actions"]
    assert source["provider"] == "CodeStarSourceConnection"
    assert source["configuration"]["ConnectionArn"] == CONNECTION
    [trigger] = pipeline.inputs["triggers"]
    assert trigger["gitConfiguration"]["pushes"] == [{"branches": {"includes": ["main"]}}]
