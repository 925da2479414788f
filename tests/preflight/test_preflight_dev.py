"""dev: web (Server, CodeCommit), api (ECS, CodeConnections) and worker (Lambda, CodeCommit);
a healthy account (exit 0) and one broken thing at a time (exit 1, the FAIL line)."""

import json


def line(out: str, name: str) -> str:
    """The report line of check `name` (`service/check` or `check`)."""
    return next(text for text in out.splitlines() if text[6:].startswith(f"{name} "))


def test_a_healthy_account_passes_every_check(account, run_preflight):
    instances = account.healthy_dev()

    code, out, err = run_preflight("dev")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        lines[0]
        == "preflight dev (project guarded-delivery, account 123456789012, region us-east-1)"
    )
    assert line(out, "codecommit").startswith("OK    codecommit ")
    assert line(out, "api/connection").endswith("github-my-org (GitHub) AVAILABLE for my-org/api")
    assert line(out, "api/ecs-service").endswith(
        "dev-cluster/api exists, deployment controller CODE_DEPLOY"
    )
    assert line(out, "worker/lambda").endswith("alias dev-worker:live points at version 1")
    assert line(out, "web/ec2-instances").endswith(f"tag Name=MyDemoInstance: {instances[0]}")
    assert line(out, "web/codedeploy-agent").endswith(f"installed on {instances[0]} (1.7.1)")
    assert line(out, "bucket").endswith(
        "guarded-delivery-dev-artifacts-123456789012-us-east-1 is free"
    )
    assert not [text for text in lines if text.startswith(("FAIL", "SKIP"))]
    assert "18 check(s): 18 OK, 0 FAIL, 0 SKIP: ready for `pulumi up`" in lines
    assert "     aws sts get-caller-identity --region us-east-1" in lines
    assert (
        "     aws ec2 describe-instances --filters Name=tag:Name,Values=MyDemoInstance "
        "Name=instance-state-name,Values=running --region us-east-1"
    ) in lines
    account.aws.assert_all_stubs_used()


def test_codecommit_closed_to_new_customers_fails_with_the_connection_fix(account, run_preflight):
    instances = account.instances("MyDemoInstance")
    account.ecs("dev")
    account.lambda_function("dev")
    account.codecommit(closed=True)
    account.connection()
    account.ssm_agent(instances)

    code, out, _ = run_preflight("dev")

    assert code == 1
    assert line(out, "codecommit") == (
        "FAIL  codecommit             service(s) web, worker use CodeCommit, but CodeCommit refused "
        "ListRepositories (OperationNotAllowedException: CodeCommit is not available to new "
        "customers.): it is closed to new customers; fix: use a CodeConnections source "
        "(connectionArn + fullRepositoryId): create the connection in the console (Developer "
        "Tools > Settings > Connections), authorise it, and set both keys on the service instead "
        "of repositoryName"
    )


def test_broken_targets_each_fail_with_their_fix(account, run_preflight):
    """ECS controller ECS, Lambda alias on $LATEST, no instance for the tag, PENDING connection."""
    account.ecs("dev", controller="ECS")
    account.lambda_function("dev", alias_version="$LATEST")
    account.codecommit()
    account.connection(status="PENDING")

    code, out, _ = run_preflight("dev")

    assert code == 1
    assert line(out, "api/connection").startswith(
        "FAIL  api/connection         github-my-org (GitHub) PENDING for my-org/api; fix: "
        "authorise it in the console first"
    )
    assert line(out, "api/ecs-service").startswith(
        "FAIL  api/ecs-service        dev-cluster/api has deployment controller ECS, not "
        "CODE_DEPLOY; fix: the ECS developer guide (Blue/green deployments with CodeDeploy) "
        "requires the service's deployment controller to be CODE_DEPLOY"
    )
    assert line(out, "worker/lambda").startswith(
        "FAIL  worker/lambda          alias dev-worker:live points at $LATEST, not a published "
        "version; fix: "
    )
    assert line(out, "web/ec2-instances").startswith(
        "FAIL  web/ec2-instances      no running instance has tag Name=MyDemoInstance; fix: tag "
    )
    assert "FAIL" not in line(out, "api/ecs-listeners")


def test_missing_ecs_service_listener_and_lambda_function(account, project, run_preflight):
    account.codecommit()
    account.connection()

    code, out, _ = run_preflight("dev")

    assert code == 1
    assert line(out, "api/ecs-service").startswith(
        "FAIL  api/ecs-service        ECS service dev-cluster/api (no cluster dev-cluster) does not exist"
    )
    assert line(out, "api/ecs-listeners").startswith(
        "FAIL  api/ecs-listeners      listener(s) not found: prod "
    )
    assert line(out, "worker/lambda").startswith(
        "FAIL  worker/lambda          function dev-worker does not exist"
    )


def test_no_ssm_means_the_agent_check_is_skipped_with_the_fix(account, run_preflight):
    instances = account.instances("MyDemoInstance")
    account.codecommit()
    account.ssm_unmanaged()

    code, out, _ = run_preflight("dev", "--service", "web")

    assert code == 0
    assert line(out, "web/codedeploy-agent").startswith(
        f"SKIP  web/codedeploy-agent   SSM cannot tell whether the CodeDeploy agent runs on "
        f"{instances[0]} (not managed by SSM, or no software inventory); fix: check on the instance"
    )
    assert "api/" not in out and "worker/" not in out


def test_ssm_inventory_without_the_agent_fails(account, run_preflight):
    instances = account.instances("MyDemoInstance")
    account.codecommit()
    account.ssm_agent(instances, agent=False)

    code, out, _ = run_preflight("dev", "--service", "web")

    assert code == 1
    assert line(out, "web/codedeploy-agent").startswith(
        f"FAIL  web/codedeploy-agent   SSM inventory shows no CodeDeploy agent on {instances[0]}; fix: install it"
    )


def test_a_bucket_of_another_owner_fails(account, run_preflight):
    account.codecommit()
    account.ssm_unmanaged()
    account.instances("MyDemoInstance")
    account.aws.stub("s3").add_client_error(
        "head_bucket", service_error_code="403", service_message="Forbidden", http_status_code=403
    )

    code, out, _ = run_preflight("dev", "--service", "web")

    assert code == 1
    assert line(out, "bucket").startswith(
        "FAIL  bucket                 guarded-delivery-dev-artifacts-123456789012-us-east-1 exists "
        "and refuses this identity (403): owned by another account, or this one denies you; fix: "
        "exists, owned by this or another account; an older stack"
    )


def test_existing_names_fail_unless_tagged_as_this_stacks(account, run_preflight):
    aws = account.aws
    account.codecommit()
    account.ssm_unmanaged()
    account.instances("MyDemoInstance")
    bucket = "guarded-delivery-dev-artifacts-123456789012-us-east-1"
    aws.client("s3").create_bucket(Bucket=bucket)
    ours = [
        {"Key": "managed-by", "Value": "pulumi"},
        {"Key": "project", "Value": "guarded-delivery"},
        {"Key": "environment", "Value": "dev"},
    ]
    aws.client("s3").put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": ours})
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    aws.client("iam").create_role(
        RoleName="guarded-delivery-dev-web-build", AssumeRolePolicyDocument=trust
    )
    aws.client("iam").create_role(
        RoleName="guarded-delivery-dev-web-deploy", AssumeRolePolicyDocument=trust, Tags=ours
    )

    code, out, _ = run_preflight("dev", "--service", "web")

    assert code == 1
    assert (
        line(out, "bucket") == f"OK    bucket                 {bucket} exists, already this stack's"
    )
    assert line(out, "iam-roles").startswith(
        "FAIL  iam-roles              IAM role(s) guarded-delivery-dev-web-build already exist, not "
        "tagged as this stack's; fix: an older stack, or another project of the same name?"
    )


def test_json_is_one_document_with_every_check(account, run_preflight):
    account.healthy_dev()

    code, out, err = run_preflight("dev", "--json")

    assert (code, err) == (0, "")
    document = json.loads(out)
    assert list(document) == [
        "stack",
        "project",
        "region",
        "account",
        "names",
        "checks",
        "counts",
        "steps",
        "exitCode",
    ]
    assert document["counts"] == {"OK": 18, "FAIL": 0, "SKIP": 0}
    assert document["exitCode"] == 0
    assert (
        document["names"]["artifactBucket"]
        == "guarded-delivery-dev-artifacts-123456789012-us-east-1"
    )
    assert document["checks"][0] == {
        "check": "account",
        "service": "",
        "status": "OK",
        "detail": document["checks"][0]["detail"],
        "fix": "",
    }
    assert {"purpose", "command"} == set(document["steps"][0])
