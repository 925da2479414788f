"""The command as a user runs it: reports, exit codes and one-line errors (subprocess)."""

import pytest

from tests.support.preview_runs import (
    NONCOMPLIANT,
    OUR_PACK,
    TINY_PACK,
    assert_one_line_error,
    preview,
    write_project,
)

CORE_GUARDRAIL_VIOLATIONS = {
    "s3-sse-kms",
    "execution-role-ip-restricted",
    "codedeploy-auto-rollback",
}


def noncompliant(*extra: str, env: dict[str, str] | None = None):
    return preview("--stack", "ci", "--cwd", NONCOMPLIANT, *extra, env=env)


@pytest.fixture(scope="module")
def text_run():
    return noncompliant("--policy-pack", OUR_PACK)


@pytest.fixture(scope="module")
def json_run():
    return noncompliant("--policy-pack", OUR_PACK, "--json")


def test_our_pack_refuses_the_noncompliant_program_in_text(text_run):
    assert text_run.code == 5, text_run.stderr
    out = text_run.stdout
    assert out.startswith("Previewing update (ci):")
    assert "Policies:" in out and "❌ cicd-guardrails@v" in out
    for policy in CORE_GUARDRAIL_VIOLATIONS:
        assert f"[mandatory]  {policy}  (" in out
    assert "[mandatory]  s3-sse-kms  (aws:s3:Bucket: artifacts)" in out
    assert "Resources:" not in out  # the CLI leaves the summary out after a mandatory violation
    assert text_run.stderr == ""


def test_the_tree_indents_children_under_their_parents(text_run):
    lines = text_run.stdout.splitlines()
    stack_line = next(line for line in lines if "pulumi:pulumi:Stack" in line)
    bucket_line = next(line for line in lines if "aws:s3:Bucket " in line)
    assert stack_line.startswith(" +   pulumi:pulumi:Stack") and stack_line.endswith("1 error")
    assert "│  ├─ aws:s3:Bucket" in bucket_line and bucket_line.endswith("create")


def test_our_pack_refuses_the_noncompliant_program_in_json(json_run):
    assert json_run.code == 5
    document = json_run.json()
    mandatory = {
        v["policyName"]
        for v in document["policyViolations"]
        if v["enforcementLevel"] == "mandatory"
    }
    assert mandatory >= CORE_GUARDRAIL_VIOLATIONS
    bucket = next(s["newState"] for s in document["steps"] if s["urn"].endswith("::artifacts"))
    assert bucket["type"] == "aws:s3/bucket:Bucket"
    assert bucket["parent"].endswith("fixture:index:Delivery::delivery")
    assert bucket["inputs"] == {"bucket": "shop-artifacts-123456789012"}
    assert document["changeSummary"] == {"create": 8}
    assert document["config"]["noncompliant-pipeline:webhookToken"] == "[secret]"
    assert document["exitCode"] == 5


def test_any_python_pack_runs_and_its_config_is_applied(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(
        '{"log-retention-minimum": {"enforcementLevel": "mandatory", "minimumDays": 2}}'
    )
    relaxed = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config, "--json")
    levels = {v["policyName"]: v["enforcementLevel"] for v in relaxed.json()["policyViolations"]}
    assert levels["bucket-needs-encryption"] == "mandatory"
    assert "log-retention-minimum" not in levels  # 3 days >= the configured 2
    config.write_text(
        '{"log-retention-minimum": {"enforcementLevel": "mandatory", "minimumDays": 30}}'
    )
    strict = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config, "--json")
    levels = {v["policyName"]: v["enforcementLevel"] for v in strict.json()["policyViolations"]}
    assert levels["log-retention-minimum"] == "mandatory"
    assert strict.code == 5


def test_an_unknown_value_is_reported_as_the_cli_does(tmp_path):
    result = noncompliant("--policy-pack", TINY_PACK, "--json")
    messages = [v["message"] for v in result.json()["policyViolations"]]
    assert any(
        m.startswith("can't run policy 'versioning-target-known' from policy pack")
        for m in messages
    )


def test_several_packs_report_separately():
    result = noncompliant("--policy-pack", TINY_PACK, "--policy-pack", OUR_PACK)
    assert "tiny-guards@v0.3.0 (local: " in result.stdout
    assert "cicd-guardrails@v" in result.stdout
    assert result.code == 5


def test_a_compliant_program_exits_zero_with_a_passing_pack(tmp_path):
    program = "import pulumi_aws as aws\naws.cloudwatch.LogGroup('logs', retention_in_days=30)\n"
    project = write_project(tmp_path / "ok", program)
    result = preview("--stack", "test", "--cwd", project, "--policy-pack", TINY_PACK)
    assert result.code == 0, result.stderr
    assert "✅ tiny-guards@v0.3.0" in result.stdout
    assert "Policy violations: 0 mandatory, 0 advisory" in result.stdout


def test_colour_is_off_when_piped_and_on_when_asked():
    plain = noncompliant("--policy-pack", TINY_PACK)
    assert "\x1b[" not in plain.stdout
    # An explicit --color always beats NO_COLOR (the helper sets NO_COLOR=1).
    coloured = noncompliant("--policy-pack", TINY_PACK, "--color", "always")
    assert "\x1b[" in coloured.stdout
    assert "bucket-needs-encryption" in coloured.stdout


# --- error paths: exit 2, one line on stderr, never a traceback -------------------------------


def test_missing_project_file(tmp_path):
    result = preview("--stack", "dev", "--cwd", tmp_path)
    assert_one_line_error(result, "no Pulumi.yaml in", "pulumi new python")


def test_missing_stack_file():
    result = preview("--stack", "qa", "--cwd", NONCOMPLIANT)
    assert_one_line_error(result, "no stack file Pulumi.qa.yaml", "pulumi stack init qa")


def test_program_exception_with_its_location(tmp_path):
    project = write_project(
        tmp_path / "p", "import pulumi\n\nraise RuntimeError('no services configured')\n"
    )
    result = preview("--stack", "test", "--cwd", project, "--json")
    # The CLI classifies a program that raises as a generic error (exit 1), not a configuration one.
    assert_one_line_error(result, "at __main__.py:3: RuntimeError: no services configured", code=1)
    assert result.json()["exitCode"] == 1


def test_pack_that_fails_to_start_reports_its_stderr(tmp_path):
    pack = tmp_path / "broken-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import policies_that_do_not_exist\n")
    result = noncompliant("--policy-pack", pack)
    assert_one_line_error(
        result,
        "failed to start",
        "ModuleNotFoundError: No module named 'policies_that_do_not_exist'",
    )


def test_a_directory_that_is_not_a_pack(tmp_path):
    assert_one_line_error(noncompliant("--policy-pack", tmp_path), "no PulumiPolicy.yaml")


def test_bad_policy_pack_config_json(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text('{"s3-sse-kms": {"enforcementLevel": "mandatory",}}')
    result = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_one_line_error(result, f"--policy-pack-config {config}:1:", "not valid JSON")


def test_unknown_policy_name_in_config(tmp_path):
    config = tmp_path / "typo.json"
    config.write_text('{"bucket-needs-encrypton": "advisory"}')
    result = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_one_line_error(
        result, "policy 'bucket-needs-encrypton' is not in policy pack tiny-guards"
    )


def test_config_value_against_the_policy_schema(tmp_path):
    config = tmp_path / "schema.json"
    config.write_text('{"log-retention-minimum": {"minimumDays": "a week"}}')
    result = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_one_line_error(
        result, "log-retention-minimum.minimumDays: 'a week' is not of type 'integer'"
    )
    config.write_text('{"log-retention-minimum": {"maximumDays": 3}}')
    result = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_one_line_error(result, "unknown property 'maximumDays'")
    config.write_text('{"log-retention-minimum": "sometimes"}')
    result = noncompliant("--policy-pack", TINY_PACK, "--policy-pack-config", config)
    assert_one_line_error(result, "enforcementLevel 'sometimes' is not one of")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "the following arguments are required: --stack"),
        (("--stack", "ci", "--account", "12345"), "not a 12-digit AWS account id"),
        (("--stack", "ci", "--color", "sometimes"), "invalid choice: 'sometimes'"),
        (
            ("--stack", "ci", "--policy-pack-config", "a.json"),
            "1 --policy-pack-config for 0 --policy-pack",
        ),
    ],
)
def test_usage_errors(args, fragment):
    result = preview(*args)
    assert result.code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
