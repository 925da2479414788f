"""Console links name the console of the pipeline's partition, and encode what a URL path cannot hold."""

import pytest

from troubleshoot.console_links import build_link, deployment_link, execution_link
from troubleshoot.model import Target


def target(partition: str, region: str) -> Target:
    return Target(
        stack="prod",
        service="web",
        pipeline_name="guarded-delivery-prod-web",
        pipeline_arn=f"arn:{partition}:codepipeline:{region}:123456789012:guarded-delivery-prod-web",
        region=region,
        names_from="test",
    )


@pytest.mark.parametrize(
    ("partition", "region", "home"),
    [
        ("aws", "eu-west-1", "https://eu-west-1.console.aws.amazon.com"),
        ("aws-cn", "cn-north-1", "https://console.amazonaws.cn"),
        ("aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com"),
    ],
)
def test_links_use_the_partitions_console(partition, region, home):
    where = target(partition, region)

    assert execution_link(where, "5a3c6f1e-2b7d-4c8e-9f10-3d4b5a6c7e8f") == (
        f"{home}/codesuite/codepipeline/pipelines/guarded-delivery-prod-web/executions/"
        f"5a3c6f1e-2b7d-4c8e-9f10-3d4b5a6c7e8f/timeline?region={region}"
    )
    assert deployment_link(where, "d-7XKQ2M9PA") == (
        f"{home}/codesuite/codedeploy/deployments/d-7XKQ2M9PA?region={region}"
    )


def test_a_build_id_is_url_encoded_under_its_account_and_project():
    link = build_link(target("aws", "us-east-1"), "guarded-delivery-prod-web-build:0f5e2d3c")

    assert link == (
        "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/"
        "guarded-delivery-prod-web-build/build/guarded-delivery-prod-web-build%3A0f5e2d3c/"
        "?region=us-east-1"
    )
