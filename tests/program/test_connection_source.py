"""A service whose source is a GitHub/GitLab/Bitbucket repository reached through CodeConnections."""

import json
from functools import cache
from typing import Any

from tests.support.program_runs import run_main, stack_config_env
from tests.support.service_fixtures import actions_of, as_list, statements

CONNECTION = "arn:aws:codestar-connections:us-east-1:123456789012:connection/" + (
    "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)


@cache
def declared() -> Any:
    config = stack_config_env("dev")
    services = json.loads(config["guarded-delivery:services"])
    web = services[0]
    del web["repositoryName"]
    web.update(connectionArn=CONNECTION, fullRepositoryId="my-org/web")
    config["guarded-delivery:services"] = json.dumps(services)
    return run_main("dev", config)


def test_no_codecommit_repository_push_rule_or_events_role():
    mocks = declared()
    assert mocks.of_type("aws:codecommit/repository:Repository") == []
    rules = [r.inputs["name"] for r in mocks.of_type("aws:cloudwatch/eventRule:EventRule")]
    assert not any(name.endswith("-on-push") for name in rules)
    roles = [r.inputs["name"] for r in mocks.of_type("aws:iam/role:Role")]
    assert not any(name.endswith("-events") for name in roles)


def test_the_pipeline_role_may_use_exactly_this_connection_and_no_repository():
    mocks = declared()
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
    mocks = declared()
    [pipeline] = mocks.of_type("aws:codepipeline/pipeline:Pipeline")
    [source] = pipeline.inputs["stages"][0]["actions"]
    assert source["provider"] == "CodeStarSourceConnection"
    assert source["configuration"]["ConnectionArn"] == CONNECTION
    [trigger] = pipeline.inputs["triggers"]
    assert trigger["gitConfiguration"]["pushes"] == [{"branches": {"includes": ["main"]}}]
