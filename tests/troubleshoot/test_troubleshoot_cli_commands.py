"""The printed AWS CLI commands follow the CLI's own spelling of each request."""

from troubleshoot.cli_commands import cli_command


def test_members_become_kebab_case_options_and_lists_are_space_separated():
    command = cli_command(
        "cloudwatch", "describe_alarms", {"AlarmNames": ["a-5xx", "a unhealthy"]}, "eu-west-1", True
    )

    assert (
        command
        == "aws cloudwatch describe-alarms --alarm-names a-5xx 'a unhealthy' --region eu-west-1"
    )


def test_codedeploy_is_aws_deploy_and_booleans_are_flags():
    assert (
        cli_command("codedeploy", "get_deployment", {"deploymentId": "d-1"}, "us-east-1", False)
        == "aws deploy get-deployment --deployment-id d-1 --region us-east-1"
    )
    assert cli_command("logs", "get_log_events", {"startFromHead": False}, "us-east-1", False) == (
        "aws logs get-log-events --no-start-from-head --region us-east-1"
    )


def test_paginated_requests_use_max_items_and_drop_page_tokens():
    command = cli_command(
        "logs",
        "filter_log_events",
        {"logGroupName": "/aws/codebuild/x", "limit": 20, "nextToken": "abc"},
        "us-east-1",
        True,
    )

    assert (
        command
        == "aws logs filter-log-events --log-group-name /aws/codebuild/x --max-items 20 --region us-east-1"
    )
