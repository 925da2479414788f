"""`--outputs FILE` as Windows and editors write it, and files that are no stack outputs at all; the
stack file's YAML alias bomb. Each problem is one line and exit 2, before any AWS client is made."""

import json
import subprocess
import sys
import time

import pytest

from tests.support.entry_points import REPO
from tests.support.troubleshoot_scenarios import DEV_PIPELINE, seed_pipeline_that_succeeded

OUTPUTS = {
    "defaultService": "web",
    "services": {
        "web": {
            "pipelineName": DEV_PIPELINE,
            "pipelineArn": f"arn:aws:codepipeline:us-east-1:123456789012:{DEV_PIPELINE}",
        }
    },
}
HINT = "write it with `pulumi stack output --json > FILE`"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_outputs_with_a_byte_order_mark_are_read(encoding, tmp_path, aws, run_command):
    """Python's utf-16 writes a BOM as PowerShell 5.1's `>` does; utf-16-be gets one by hand."""
    seed_pipeline_that_succeeded(aws)
    text = json.dumps(OUTPUTS, indent=2)
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    outputs = tmp_path / "outputs.json"
    outputs.write_bytes(data)

    code, out, err = run_command("dev", "--outputs", str(outputs))

    assert (code, err) == (0, "")
    assert f"Pipeline {DEV_PIPELINE} (stack dev, service web, us-east-1): nothing failed" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"services": {"web": {"pipelineName": "caf\xe9"}}}',
            "byte 0xe9 at offset 42 is not UTF-8 text; save the file as UTF-8 (in PowerShell: "
            "`pulumi stack output --json | Out-File -Encoding utf8 FILE`)",
        ),
        (
            b"\xff\xfe" + b"{\x00" + b"\x00\xd8",  # UTF-16 LE, then half a surrogate pair
            "is not UTF-16 text; save the file as UTF-8",
        ),
        (b"[" * 100_000, f"JSON nested too deeply to be stack outputs; {HINT}"),
        (b" " * (16 * 1024 * 1024 + 1), f"larger than 16 MiB, not stack outputs; {HINT}"),
    ],
    ids=["latin-1", "broken-utf-16", "nested", "huge"],
)
def test_outputs_that_cannot_be_stack_outputs_are_one_line(
    content, message, tmp_path, aws, run_command
):
    outputs = tmp_path / "outputs.json"
    outputs.write_bytes(content)

    code, out, err = run_command("dev", "--outputs", str(outputs))

    assert (code, out) == (2, "")
    assert err.startswith(f"error: --outputs {outputs}: ") and message in err, err
    assert err.count("\n") == 1
    assert aws.clients == {}


def test_a_pipeline_arn_in_a_region_that_does_not_exist_is_one_line(tmp_path, aws, run_command):
    arn = f"arn:aws:codepipeline:mars-north-1:123456789012:{DEV_PIPELINE}"
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps({"services": {"web": {"pipelineName": DEV_PIPELINE, "pipelineArn": arn}}})
    )

    code, out, err = run_command("dev", "--outputs", str(outputs))

    assert (code, out) == (2, "")
    assert err == (
        f"error: --outputs {outputs}: services.web.pipelineArn {arn!r}: 'mars-north-1' is not an "
        "AWS region (botocore knows e.g. us-east-1, eu-west-1); write the file again with "
        "`pulumi stack output --json --stack dev`\n"
    )
    assert aws.clients == {}


BILLION_LAUGHS = """  guarded-delivery:notes:
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_a_yaml_alias_bomb_in_the_stack_file_is_one_line_and_fast(tmp_path, moto_endpoint):
    """Run in a child process: an unbounded expansion must fail the test, not hang the suite."""
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        (tmp_path / name).write_text((REPO / name).read_text())
    with (tmp_path / "Pulumi.dev.yaml").open("a") as stack_file:
        stack_file.write(BILLION_LAUGHS)
    program = (
        "import sys; from pathlib import Path; from troubleshoot.cli import main; "
        f"sys.exit(main(['dev'], project_dir=Path({str(tmp_path)!r})))"
    )

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "AWS_ENDPOINT_URL": moto_endpoint},
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("error: Pulumi.dev.yaml:") and "alias" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert time.monotonic() - started < 30
