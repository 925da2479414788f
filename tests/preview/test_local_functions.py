"""AWS functions that make no AWS call, answered as the provider's data sources answer them."""

import pytest

from offline_preview.lookups.local_functions import (
    AwsContext,
    LocalFunctionError,
    get_arn,
    get_billing_service_account,
    get_service_principal,
)
from tests.support.preview_runs import preview, write_project

US = AwsContext("us-east-1", "aws")
CHINA = AwsContext("cn-north-1", "aws-cn")


@pytest.mark.parametrize(
    ("service", "context", "region", "name"),
    [
        ("codebuild", US, None, "codebuild.amazonaws.com"),
        ("logs", US, "eu-west-1", "logs.amazonaws.com"),
        ("logs", CHINA, None, "logs.amazonaws.com.cn"),
        ("codedeploy", CHINA, None, "codedeploy.amazonaws.com.cn"),
        ("s3", CHINA, None, "s3.amazonaws.com"),
        ("config", US, "us-iso-east-1", "config.c2s.ic.gov"),
        ("dms", US, "us-isob-east-1", "dms.sc2s.sgov.gov"),
        ("logs", US, "us-gov-west-1", "logs.amazonaws.com"),
    ],
)
def test_service_principal_names_follow_the_partition_table(service, context, region, name):
    args = {"serviceName": service, **({"region": region} if region else {})}
    result = get_service_principal(args, context)
    assert result["name"] == name
    assert result["id"] == f"{service}.{region or context.region}.{name.split('.', 1)[1]}"


def test_an_unknown_region_is_refused():
    with pytest.raises(LocalFunctionError, match="finding Region by name"):
        get_service_principal({"serviceName": "logs", "region": "mars-1"}, US)


def test_the_billing_account_in_the_partition():
    assert get_billing_service_account({}, CHINA) == {
        "id": "386209384616",
        "arn": "arn:aws-cn:iam::386209384616:root",
    }


@pytest.mark.parametrize(
    ("arn", "parts"),
    [
        ("arn:aws:s3:::bucket/key:with:colons", ("aws", "s3", "", "", "bucket/key:with:colons")),
        ("arn:aws-cn:iam::123456789012:role/x", ("aws-cn", "iam", "", "123456789012", "role/x")),
    ],
)
def test_arns_split_like_the_sdks_parser(arn, parts):
    result = get_arn({"arn": arn}, US)
    assert (
        result["partition"],
        result["service"],
        result["region"],
        result["account"],
        result["resource"],
    ) == parts


@pytest.mark.parametrize("arn", ["arn:aws:s3", "not-an-arn:aws:s3:::b", "arn::s3:::b"])
def test_a_malformed_arn_is_refused(arn):
    with pytest.raises(LocalFunctionError):
        get_arn({"arn": arn}, US)


def test_a_program_gets_them_for_its_stack_region(tmp_path):
    program = (
        "import pulumi\nimport pulumi_aws as aws\n"
        "pulumi.export('logs', aws.get_service_principal(service_name='logs').name)\n"
        "pulumi.export('billing', aws.get_billing_service_account().arn)\n"
    )
    project = write_project(tmp_path / "p", program, "config:\n  aws:region: cn-northwest-1\n")
    result = preview("--stack", "test", "--cwd", project, "--json")
    assert result.code == 0, result.stderr
    assert result.json()["outputs"] == {
        "logs": "logs.amazonaws.com.cn",
        "billing": "arn:aws-cn:iam::386209384616:root",
    }
