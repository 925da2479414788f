"""The confirm step against moto's Lambda: the alias runs the signed package, or exit 1 saying not."""

import base64
import hashlib

import pytest

from tests.support.release_account import (
    BUILD_FILES,
    FUNCTION,
    FUNCTION_ALIAS,
    STACK,
    STAGING,
    STAGING_EXECUTION,
    STAGING_PIPELINE,
    zip_bytes,
)


@pytest.fixture
def lambda_release(release, run_sign, output):
    """A Lambda release (no image) signed and recorded; the signed package's bytes."""
    package = release.record_build()
    release.queue_action_executions()
    release.queue_scan()
    code, out, err = run_sign(RELEASE_ARTIFACTS="BuildOutput", IMAGE_ARTIFACT="")
    assert code == 0, out + err
    release.record_release(output)
    return package


def deploy(release, package: bytes, extra_version: bytes | None = None) -> None:
    """Create the function from `package`, publish version 1 and point the alias at it."""
    iam = release.aws.client("iam")
    role = iam.create_role(RoleName="api-runtime", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = release.aws.client("lambda")
    lam.create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": package},
        Publish=True,
    )
    routing = {}
    if extra_version is not None:
        lam.update_function_code(FunctionName=FUNCTION, ZipFile=extra_version, Publish=True)
        routing = {"RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}
    lam.create_alias(FunctionName=FUNCTION, Name=FUNCTION_ALIAS, FunctionVersion="1", **routing)


def code_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_the_alias_runs_the_signed_package(release, lambda_release, run_confirm):
    deploy(release, lambda_release)
    release.queue_action_executions()

    code, out, err = run_confirm()

    assert (code, err) == (0, "")
    assert out.startswith(
        f"confirmed: {FUNCTION}:{FUNCTION_ALIAS} (version 1) runs the signed package BuildOutput "
        f"(CodeSha256 {code_sha256(lambda_release)}), manifest sha256 "
    )


def test_other_deployed_code_is_refused(release, lambda_release, run_confirm):
    other = zip_bytes({**BUILD_FILES, "handler.py": "def handler(e, c):\n    return 'other'\n"})
    deploy(release, other)
    release.queue_action_executions()

    code, out, err = run_confirm()

    assert (code, out) == (1, "")
    assert err.splitlines()[1:] == [
        f"  - deployed code of {FUNCTION}:{FUNCTION_ALIAS} (version 1) has CodeSha256 "
        f"{code_sha256(other)}, the signed package is {code_sha256(lambda_release)}"
    ]


def test_a_weighted_version_with_other_code_is_refused(release, lambda_release, run_confirm):
    other = zip_bytes({"handler.py": "def handler(e, c):\n    return 'canary'\n"})
    deploy(release, lambda_release, extra_version=other)
    release.queue_action_executions()

    code, _, err = run_confirm()

    assert code == 1
    assert err.splitlines()[1:] == [
        f"  - deployed code of {FUNCTION}:{FUNCTION_ALIAS} (version 2) has CodeSha256 "
        f"{code_sha256(other)}, the signed package is {code_sha256(lambda_release)}"
    ]


def test_confirm_refuses_an_unsigned_release(release, lambda_release, run_confirm, output):
    deploy(release, lambda_release)
    release.record_release(output, leave_out=("manifest.sig.json",))
    release.queue_action_executions()

    code, _, err = run_confirm()

    assert code == 1
    assert err.splitlines()[1:] == ["  - unsigned: artifact ReleaseOutput has no manifest.sig.json"]


def test_a_promoted_release_is_confirmed_through_the_upstreams_record(
    downstream, published, run_confirm
):
    """Staging deploys what dev published: confirm trusts dev's record, then checks the code."""
    copied = downstream.record_sources(STAGING_EXECUTION)
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)
    package = copied["BuildOutput"]
    deploy(downstream, package)
    promoted = {
        "PIPELINE_NAME": STAGING_PIPELINE,
        "EXECUTION_ID": STAGING_EXECUTION,
        "STACK": STAGING,
        "UPSTREAM_STACK": STACK,
        "UPSTREAM_PIPELINE": downstream.confirm_environ()["PIPELINE_NAME"],
        "TRUSTED_KEY_ID": downstream.alias_arn,
    }

    code, out, err = run_confirm(**promoted)

    assert (code, err) == (0, ""), out + err
    assert f"(CodeSha256 {code_sha256(package)})" in out


def test_a_promoted_release_without_the_upstreams_record_is_refused(
    downstream, published, run_confirm
):
    copied = downstream.record_sources(STAGING_EXECUTION)
    downstream.queue_action_executions(pipeline=STAGING_PIPELINE, execution=STAGING_EXECUTION)
    deploy(downstream, copied["BuildOutput"])

    code, out, err = run_confirm(
        PIPELINE_NAME=STAGING_PIPELINE,
        EXECUTION_ID=STAGING_EXECUTION,
        STACK=STAGING,
        UPSTREAM_STACK=STACK,
        UPSTREAM_PIPELINE="guarded-delivery-qa-api",
        TRUSTED_KEY_ID=downstream.alias_arn,
    )

    assert (code, out) == (1, "")
    assert "deployment record of pipeline" in err and "the upstream pipeline is" in err
