"""The pack started as the engine starts it, driven over the Analyzer gRPC service."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel

from cicd_guardrails.pack import all_policies
from tests.support.analyzer_harness import (
    AnalysisResult,
    analyze_request,
    analyze_stack_request,
    assert_violation,
    collect,
    policy_config_request,
    resource,
)

REPO = Path(__file__).resolve().parents[2]
# pulumi.policy only uses the engine address for logging; nothing needs to listen there.
ENGINE_ADDRESS = "127.0.0.1:0"
# Generous: a cold interpreter importing pulumi and grpc; the test never relies on it being fast.
STARTUP_TIMEOUT_SECONDS = 120
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def read_port(process: subprocess.Popen) -> int:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    if not lines or not lines[0].strip().isdigit():
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"pack did not print its port; stdout={lines!r} stderr={stderr[-2000:]}")
    return int(lines[0])


@pytest.fixture(scope="module")
def analyzer():
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "policies"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # The pack must import on its own (the engine puts only the pack dir on sys.path).
        env={**os.environ, "PYTHONPATH": ""},
    )
    try:
        port = read_port(process)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=STARTUP_TIMEOUT_SECONDS)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.kill()
        process.communicate()


def test_pack_over_grpc_reports_mandatory_violations(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "cicd-guardrails"
    listed = {p.name: p for p in info.policies}
    assert listed["s3-sse-kms"].enforcementLevel == proto.MANDATORY
    assert listed["s3-sse-kms"].remediation_steps

    config = json.loads((REPO / "policies" / "config" / "prod.json").read_text())
    analyzer.Configure(
        policy_config_request(all_policies(), config, pack_level=EnforcementLevel.MANDATORY)
    )

    bucket = resource("aws:s3/bucket:Bucket", "artifacts", {"bucket": "artifacts-prod"})
    sse = resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "artifacts-sse",
        {
            "bucket": "artifacts-prod",
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
        },
    )
    key = resource(
        "aws:kms/key:Key", "artifacts-key", {"enableKeyRotation": False, "deletionWindowInDays": 30}
    )
    group = resource(
        "aws:codedeploy/deploymentGroup:DeploymentGroup",
        "web",
        {"autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}},
    )
    topic = resource("aws:sns/topic:Topic", "notifications", {"kmsMasterKeyId": KEY_ARN})

    result = AnalysisResult()
    for res in (bucket, sse, key, group, topic):
        collect(analyzer.Analyze(analyze_request(res)), result, default_urn=res.urn)
    collect(analyzer.AnalyzeStack(analyze_stack_request([bucket, sse, key, group, topic])), result)

    assert_violation(
        result, "s3-sse-kms", "sseAlgorithm is 'AES256'", urn=sse.urn, level="mandatory"
    )
    assert_violation(
        result, "kms-key-rotation", "enableKeyRotation is False", urn=key.urn, level="mandatory"
    )
    # prod.json sets requireAlarmRollback, so the engine-delivered config reached the policy.
    assert_violation(
        result,
        "codedeploy-auto-rollback",
        "lacks DEPLOYMENT_STOP_ON_ALARM",
        urn=group.urn,
        level="mandatory",
    )
    assert not [v for v in result.mandatory() if v.urn == topic.urn]


def test_plugin_info_answers(analyzer):
    assert analyzer.GetPluginInfo(empty_pb2.Empty()).version
