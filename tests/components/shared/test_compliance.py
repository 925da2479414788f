"""Opt-in continuous compliance: AWS Config managed rules, their scope, and findings sent to the topic."""

import copy
import json
import re
from typing import Any

import pytest

from components.config import ConfigError, parse_settings
from components.shared.compliance import (
    FINDING_PATHS,
    Compliance,
    ComplianceArgs,
    managed_rules,
)
from components.shared.naming import PlatformNames
from components.shared.tagging import resource_tags
from offline_preview.program_runner import run_program
from tests.support.dependency_graph import DependencyGraph
from tests.support.mocked_program import FIXTURE_ACCOUNT_ID, FIXTURE_REGION, declare
from tests.support.program_runs import PROJECT_DIR, stack_settings_raw

NAMES = PlatformNames("guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
RULE = "aws:cfg/rule:Rule"
EVERY_RULE = {
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "S3_DEFAULT_ENCRYPTION_KMS",
    "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
    "SNS_ENCRYPTED_KMS",
    "CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION",
    "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
    "CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED",
}


@pytest.fixture(scope="module")
def compliance():
    return declare(
        lambda: Compliance(
            "compliance",
            ComplianceArgs(
                names=NAMES,
                rules=managed_rules(codedeploy_with_alarms=True),
                bucket_name=NAMES.artifact_bucket_name,
                key_alias_arn=NAMES.key_alias_arn,
                topic_arn=NAMES.topic_arn,
                tags=resource_tags("guarded-delivery", "prod"),
            ),
        )
    )


def rules_by_identifier(mocks) -> dict[str, dict[str, Any]]:
    return {r.inputs["source"]["sourceIdentifier"]: r.inputs for r in mocks.of_type(RULE)}


def test_complianceRules_is_off_by_default_and_a_boolean():
    raw = copy.deepcopy(stack_settings_raw("dev"))
    assert parse_settings(raw, "dev").compliance_rules is False
    assert parse_settings({**raw, "complianceRules": "true"}, "dev").compliance_rules is True
    with pytest.raises(ConfigError) as caught:
        parse_settings({**raw, "complianceRules": "yes"}, "dev")
    assert str(caught.value) == (
        "guarded-delivery:complianceRules: 'yes' is not a boolean; use true or false"
    )


def test_the_codedeploy_rule_only_where_deployments_stop_on_alarms():
    with_alarms = {rule.identifier for rule in managed_rules(codedeploy_with_alarms=True)}
    assert with_alarms == EVERY_RULE
    without = {rule.identifier for rule in managed_rules(codedeploy_with_alarms=False)}
    assert without == EVERY_RULE - {"CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED"}


def test_every_rule_is_an_aws_managed_rule_named_for_the_stack(compliance):
    rules = rules_by_identifier(compliance)
    assert set(rules) == EVERY_RULE
    for identifier, rule in rules.items():
        assert rule["source"]["owner"] == "AWS"
        assert rule["name"] == NAMES.compliance_rule_name(identifier)
        assert rule["name"].startswith("guarded-delivery-prod-")
        assert rule["tags"] == resource_tags("guarded-delivery", "prod")


def test_change_triggered_rules_are_scoped_to_our_resources_periodic_ones_are_not(compliance):
    rules = rules_by_identifier(compliance)
    assert rules["S3_DEFAULT_ENCRYPTION_KMS"]["scope"] == {
        "complianceResourceTypes": ["AWS::S3::Bucket"],
        "complianceResourceId": NAMES.artifact_bucket_name,
    }
    for identifier in (
        "SNS_ENCRYPTED_KMS",
        "CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION",
        "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
        "CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED",
    ):
        assert rules[identifier]["scope"] == {"tagKey": "project", "tagValue": "guarded-delivery"}
    for periodic in ("CMK_BACKING_KEY_ROTATION_ENABLED", "CLOUDWATCH_LOG_GROUP_ENCRYPTED"):
        assert "scope" not in rules[periodic]


def test_the_topic_rule_wants_our_key(compliance):
    rules = rules_by_identifier(compliance)
    assert json.loads(rules["SNS_ENCRYPTED_KMS"]["inputParameters"]) == {
        "kmsKeyIds": NAMES.key_alias_arn
    }
    with_parameters = {i for i, rule in rules.items() if "inputParameters" in rule}
    assert with_parameters == {"SNS_ENCRYPTED_KMS"}


def test_non_compliant_findings_of_exactly_our_rules_reach_the_topic(compliance):
    (rule,) = compliance.of_type("aws:cloudwatch/eventRule:EventRule")
    assert rule.inputs["name"] == NAMES.compliance_findings_rule_name
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.config"],
        "detail-type": ["Config Rules Compliance Change"],
        "detail": {
            "configRuleName": sorted(NAMES.compliance_rule_name(i) for i in EVERY_RULE),
            "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]},
        },
    }
    (target,) = compliance.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["rule"] == NAMES.compliance_findings_rule_name
    assert target.inputs["arn"] == NAMES.topic_arn
    transformer = target.inputs["inputTransformer"]
    assert transformer["inputPaths"] == FINDING_PATHS
    template = json.loads(transformer["inputTemplate"])
    assert set(re.findall(r"<([A-Za-z]+)>", template)) == set(FINDING_PATHS)
    assert "aws configservice get-compliance-details-by-config-rule --config-rule-name <rule>" in (
        template
    )


@pytest.fixture(scope="module")
def prod_run():
    return run_program(PROJECT_DIR, "prod").resources


def test_prod_opts_in_and_every_document_is_known(prod_run):
    rules = [r for r in prod_run if r.type == RULE]
    assert {r.inputs["source"]["sourceIdentifier"] for r in rules} == EVERY_RULE
    findings = next(r for r in prod_run if r.name == "compliance-findings")
    assert isinstance(findings.inputs["eventPattern"], str)
    for rule in rules:
        for key in ("name", "inputParameters"):
            assert key not in rule.inputs or isinstance(rule.inputs[key], str), (rule.name, key)


def test_findings_rule_and_scoped_rules_wait_for_what_they_name(prod_run):
    graph = DependencyGraph(prod_run)
    by_name = {r.name: r for r in prod_run}
    urn = {r.type: r.urn for r in prod_run}
    findings = by_name["compliance-findings"].urn
    waits = graph.waits_for(findings)
    assert {r.urn for r in prod_run if r.type == RULE} <= waits
    bucket_rule = by_name[NAMES.compliance_rule_name("S3_DEFAULT_ENCRYPTION_KMS")].urn
    assert urn["aws:s3/bucket:Bucket"] in graph.waits_for(bucket_rule)
    topic_rule = by_name[NAMES.compliance_rule_name("SNS_ENCRYPTED_KMS")].urn
    assert by_name["artifacts-key-alias"].urn in graph.waits_for(topic_rule)
    target = by_name["compliance-findings-to-topic"].urn
    assert {findings, urn["aws:sns/topicPolicy:TopicPolicy"]} <= graph.waits_for(target)


def test_dev_and_staging_create_no_config_rules():
    for stack in ("dev", "staging"):
        assert not [r for r in run_program(PROJECT_DIR, stack).resources if r.type == RULE]
