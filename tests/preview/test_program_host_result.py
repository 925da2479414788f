"""The program host writes its result one registration at a time and leaves its heap to the OS; the
runner reads it back with each repeated long text held once."""

import json
import os
import subprocess
import sys
from pathlib import Path

from offline_preview import program_host
from offline_preview.program_runner import (
    FIXTURE_ACCOUNT_ID,
    FIXTURE_REGION,
    PACKAGE_ROOT,
    SHARED_TEXT_MIN_CHARS,
    host_request,
    run_program,
    share_repeated_texts,
)
from offline_preview.project import load_project
from offline_preview.registration import UNKNOWN, RegisteredResource
from tests.support.preview_runs import write_project


def registration(name: str, **inputs: object) -> RegisteredResource:
    return RegisteredResource(
        type="aws:s3/bucket:Bucket",
        name=name,
        urn=f"urn:pulumi:test::scratch::aws:s3/bucket:Bucket::{name}",
        custom=True,
        inputs=dict(inputs),
        dependencies=["urn:pulumi:test::scratch::aws:kms/key:Key::key"],
        property_dependencies={"bucket": []},
    )


def test_the_streamed_result_reads_back_as_the_whole_document(tmp_path):
    resources = [
        registration("artifacts", bucket="café-\u2028-artifacts", tags={"a": [1, 2.5, None]}),
        registration("logs", bucket=UNKNOWN, policy="x" * 200_000),
    ]
    logs = [{"severity": "warning", "message": 'quote " and \\ backslash', "urn": ""}]
    result = {"resources": resources, "logs": logs, "failure": None}

    program_host.write_result(result, tmp_path / "result.json")

    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8")) == {
        "resources": [r.to_json() for r in resources],
        "logs": logs,
        "failure": None,
    }


def test_an_empty_run_with_a_failure_reads_back(tmp_path):
    failure = {"exception_type": "ValueError", "message": "bad", "location": "", "unanswered": ""}

    program_host.write_result(
        {"resources": [], "logs": [], "failure": failure}, tmp_path / "result.json"
    )

    assert json.loads((tmp_path / "result.json").read_text()) == {
        "resources": [],
        "logs": [],
        "failure": failure,
    }


PROGRAM = """\
import atexit

import pulumi

atexit.register(lambda: print("the program's exit handler ran", flush=True))
pulumi.ComponentResource("scratch:index:Thing", "thing", None)
"""

# What `python -m offline_preview.program_host` does, then what remains of the heap to collect.
HOST = """\
import gc, sys
from offline_preview import program_host
program_host.main(sys.argv[1], sys.argv[2])
print("frozen objects:", gc.get_freeze_count(), flush=True)
"""


def test_the_host_freezes_its_heap_at_exit_and_still_runs_the_programs_exit_handlers(tmp_path):
    project_dir = write_project(tmp_path / "project", PROGRAM)
    project = load_project(project_dir, "test")
    request = host_request(project, "test", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
    (tmp_path / "request.json").write_text(json.dumps(request))
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}

    done = subprocess.run(
        [sys.executable, "-c", HOST, str(tmp_path / "request.json"), str(tmp_path / "out.json")],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.split("frozen objects:")[1].split()[0])
    assert frozen > 10_000  # the SDK's modules, resources and outputs: no collection walks them
    assert "the program's exit handler ran" in done.stdout
    result = json.loads(Path(tmp_path / "out.json").read_text())
    assert result["failure"] is None
    assert [r["name"] for r in result["resources"]] == ["scratch-test", "thing"]


def test_repeated_long_texts_become_one_object_and_nothing_else_changes():
    long_text = "phases:\n" + "x" * SHARED_TEXT_MIN_CHARS
    short = "s" * (SHARED_TEXT_MIN_CHARS - 1)
    first = {"spec": long_text, "short": short, "list": [1, None, long_text]}
    second = {"nested": {"spec": "".join(list(long_text))}, "short": "".join(list(short))}
    assert second["nested"]["spec"] is not long_text
    expected = json.loads(json.dumps([first, second]))

    texts: dict[str, str] = {}
    share_repeated_texts(first, texts)
    share_repeated_texts(second, texts)
    share_repeated_texts(None, texts)  # a custom resource has no registered outputs

    assert [first, second] == expected
    assert second["nested"]["spec"] is first["spec"] is first["list"][2]
    assert second["short"] is not first["short"]


SAME_TEXT_PROGRAM = """\
import pulumi

spec = "version: 0.2\\n" + "# step\\n" * 400
for name in ("build", "verify"):
    pulumi.CustomResource("aws:codebuild/project:Project", name, {"source": {"buildspec": spec}})
"""


def test_a_run_holds_a_text_given_to_many_resources_once(tmp_path):
    run = run_program(write_project(tmp_path / "same", SAME_TEXT_PROGRAM), "test")

    build, verify = run.named("build"), run.named("verify")
    assert build.inputs["source"]["buildspec"] == "version: 0.2\n" + "# step\n" * 400
    assert build.inputs["source"]["buildspec"] is verify.inputs["source"]["buildspec"]
