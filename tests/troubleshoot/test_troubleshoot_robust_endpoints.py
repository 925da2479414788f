"""Endpoints that are not AWS: a proxy's HTML page (200 or 502), a body that is not JSON, and a
server that accepts the connection and never answers. One line and exit 2, and never minutes of
silence: a progress line names the call being waited for, `--timeout` ends the run.

The command makes its own clients here (`AwsClients.for_region`), pointed at the local server by
AWS_ENDPOINT_URL as a user's proxy or endpoint setting would be.
"""

import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.entry_points import run_with_test_credentials
from tests.support.troubleshoot_scenarios import DEV_PIPELINE

PROXY_PAGE = b"<!DOCTYPE html><html><head><title>Sign in to \x1b[2Jthe proxy</title></head></html>"


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    arn = f"arn:aws:codepipeline:us-east-1:123456789012:{DEV_PIPELINE}"
    path.write_text(
        json.dumps({"services": {"web": {"pipelineName": DEV_PIPELINE, "pipelineArn": arn}}})
    )
    return path


def serve(status: int, body: bytes, content_type: str) -> tuple[http.server.HTTPServer, str]:
    """A local HTTP server answering every request with `status` and `body`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def endpoint(request, monkeypatch, moto_endpoint) -> Iterator[str]:
    """The local server of `request.param` = (status, body, content type) as AWS_ENDPOINT_URL;
    moto_endpoint supplies the test credentials in the environment."""
    server, url = serve(*request.param)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    yield url
    server.shutdown()
    server.server_close()


def run_main(*argv: str, capsys) -> tuple[int, str, str]:
    from troubleshoot.cli import main

    code = main(list(argv))  # the command's own clients, from the environment
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("endpoint", "what"),
    [
        ((200, PROXY_PAGE, "text/html"), "HTTP 200 and an HTML page 'Sign in to the proxy'"),
        ((502, PROXY_PAGE, "text/html"), "HTTP 502 and an HTML page 'Sign in to the proxy'"),
        (
            (200, b"Service temporarily down", "text/plain"),
            "HTTP 200 and a body that is not JSON 'Service temporarily down'",
        ),
    ],
    indirect=["endpoint"],
    ids=["html-200", "html-502", "plain-text"],
)
def test_an_endpoint_that_is_not_aws_is_one_line(endpoint, what, outputs, capsys):
    code, out, err = run_main("dev", "--outputs", str(outputs), capsys=capsys)

    assert (code, out) == (2, "")
    assert err == (
        f"error: {endpoint} answered codepipeline ListPipelineExecutions with {what}, not an AWS "
        "answer: a proxy or captive portal may be in the way; check HTTPS_PROXY/NO_PROXY and "
        "AWS_ENDPOINT_URL\n"
    )


@pytest.mark.parametrize("endpoint", [(200, PROXY_PAGE, "text/html")], indirect=True)
def test_an_html_page_for_the_xml_sts_call_is_one_line_too(endpoint, capsys):
    code, out, err = run_main("dev", "--json", capsys=capsys)

    assert code == 2
    assert json.loads(out)["error"].startswith(
        f"{endpoint} answered sts GetCallerIdentity with HTTP 200 and an HTML page"
    )
    assert err.count("\n") == 1 and "\x1b" not in err


@pytest.fixture
def silent_endpoint(monkeypatch, moto_endpoint) -> Iterator[str]:
    """A socket that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        yield url


def test_an_endpoint_that_never_answers_is_reported_while_waiting_and_ended_by_timeout(
    silent_endpoint, outputs, capsys, monkeypatch
):
    monkeypatch.setattr("troubleshoot.waiting.PROGRESS_EVERY_SECONDS", 0.5)

    started = time.monotonic()
    code, out, err = run_main("dev", "--outputs", str(outputs), "--timeout", "2", capsys=capsys)

    assert time.monotonic() - started < 10
    assert (code, out) == (2, "")
    *progress, last = err.splitlines()
    waiting = f"still waiting for codepipeline ListPipelineExecutions at {silent_endpoint}"
    assert progress and all(line.startswith(waiting) for line in progress), err
    assert last == (
        f"error: no answer from codepipeline ListPipelineExecutions at {silent_endpoint} within "
        "--timeout 2 s: check the network, HTTPS_PROXY/NO_PROXY and AWS_ENDPOINT_URL, or pass a "
        "larger --timeout SECONDS"
    )


def test_the_real_entry_point_gives_up_on_a_silent_endpoint_within_its_timeout(tmp_path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        started = time.monotonic()
        try:
            result = run_with_test_credentials(
                [sys.executable, "-m", "troubleshoot", "dev", "--timeout", "1.5"],
                f"http://127.0.0.1:{silent.getsockname()[1]}",
                tmp_path,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("the command hung on an endpoint that never answers")

    assert time.monotonic() - started < 30
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(
        "error: no answer from sts GetCallerIdentity at http://127.0.0.1:"
    )
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize(
    ("protocol", "content_type", "body", "problem"),
    [
        ("query", "text/html", b"<GetCallerIdentityResponse xmlns='x'/>", ""),
        ("json", "text/html; charset=utf-8", b'{"pipelineExecutionSummaries": []}', ""),
        ("query", "text/html", b"<h1>Forbidden</h1>", "an HTML page 'Forbidden'"),
        (
            "json",
            "text/html",
            b"<p>Access denied by policy</p>",
            "an HTML page 'Access denied by policy'",
        ),
    ],
)
def test_the_body_decides_what_an_html_label_means(protocol, content_type, body, problem):
    """moto labels some AWS answers text/html: those are read; a page under the same label is not."""
    from troubleshoot.answer_check import answer_problem

    assert answer_problem(protocol, {"Content-Type": content_type}, body) == problem
