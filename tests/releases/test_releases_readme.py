"""The README's "What is running where" example is what the command prints against the test server.

Key ids and object versions are moto's own random ids, so the manifest's digest and the signing key's
id differ from run to run: both sides are compared with those values replaced by placeholders.
"""

import re
from pathlib import Path

from tests.support.release_scenarios import EXECUTIONS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
HEADING = "## What is running where (`bin/releases`)"
VOLATILE = (
    (re.compile(r"key/[0-9a-f-]{36}"), "key/<key id>"),
    (re.compile(r"manifest   sha256 [0-9a-f]{64}"), "manifest   sha256 <digest>"),
)


def normalized(text: str) -> str:
    for pattern, placeholder in VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def excerpts() -> list[str]:
    section = README[README.index(HEADING) :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```text\n(.*?)\n```", section, re.S)


def test_the_section_has_the_two_examples():
    assert len(excerpts()) == 2


def test_the_first_example_is_the_whole_output_for_an_approved_promoted_release(
    history, run_releases
):
    history.deployed(
        "prod", "web", history.promoted(["dev", "staging", "prod"], "web"), approved=True
    )

    code, out, _ = run_releases("prod", "--service", "web")

    assert code == 0
    assert normalized(excerpts()[0]) == normalized(out.rstrip("\n"))
    assert EXECUTIONS["prod"] in excerpts()[0]


def test_the_second_example_is_the_block_of_a_manifest_altered_after_signing(history, run_releases):
    history.deployed("dev", "web", history.built("dev", "web", altered=True))

    code, out, _ = run_releases("dev", "--service", "web")

    assert code == 1
    block = out[: out.index("\n\n")]
    digests = re.compile(r"sha256 [0-9a-f]{64}")
    assert digests.sub("sha256 <digest>", normalized(excerpts()[1])) == digests.sub(
        "sha256 <digest>", normalized(block)
    )
