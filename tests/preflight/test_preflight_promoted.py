"""staging and prod: promoted stacks (the upstream's bucket), prod's AWS Config recorder."""

from tests.preflight.test_preflight_dev import line


def healthy(account, stack: str, recording: bool | None = None) -> None:
    instances = account.instances(f"MyDemoInstance-{stack}")
    account.ecs(stack, test_listener=True)
    account.lambda_function(stack)
    account.ssm_agent(instances)
    if recording is not None:
        account.recorder(recording)


def test_staging_before_its_upstream_exists_skips_the_promotion_check(account, run_preflight):
    healthy(account, "staging")

    code, out, err = run_preflight("staging")

    assert (code, err) == (0, "")
    assert line(out, "promotion-bucket").startswith(
        "SKIP  promotion-bucket       dev's bucket guarded-delivery-dev-artifacts-123456789012-us-east-1 "
        "does not exist yet; fix: create the upstream first: `pulumi up` of dev"
    )
    assert line(out, "api/ecs-listeners").endswith("prod and test listener(s) exist")
    assert "codecommit" not in out, "a promoted stack has no CodeCommit source"


def test_staging_with_its_upstream_reachable(account, run_preflight):
    healthy(account, "staging")
    account.aws.client("s3").create_bucket(
        Bucket="guarded-delivery-dev-artifacts-123456789012-us-east-1"
    )

    code, out, _ = run_preflight("staging")

    assert code == 0
    assert line(out, "promotion-bucket") == (
        "OK    promotion-bucket       dev's bucket guarded-delivery-dev-artifacts-123456789012-us-east-1 "
        "is reachable"
    )


def test_prod_needs_a_recording_config_recorder(account, run_preflight):
    healthy(account, "prod", recording=False)

    code, out, _ = run_preflight("prod")

    assert code == 1
    assert line(out, "aws-config").startswith(
        "FAIL  aws-config             recorder default is not recording; complianceRules needs one; "
        "fix: set up AWS Config recording"
    )


def test_prod_with_a_recorder_passes(account, run_preflight):
    healthy(account, "prod", recording=True)

    code, out, _ = run_preflight("prod")

    assert code == 0, out
    assert line(out, "aws-config") == "OK    aws-config             recorder default is recording"
