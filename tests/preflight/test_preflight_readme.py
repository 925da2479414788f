"""The README's `bin/preflight` example is what the command prints against the test server
(the check lines and the summary; the CLI commands that follow are left out of the README).

EC2 instance ids are moto's random ids: both sides are compared with them replaced by a placeholder.
"""

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
HEADING = "## Before the first `pulumi up` (`bin/preflight`)"
INSTANCE = re.compile(r"i-[0-9a-f]{17}")


def excerpt() -> str:
    section = README[README.index(HEADING) :]
    section = section[: section.index("\n## ", 1)]
    (text,) = re.findall(r"```text\n(.*?)\n```", section, re.S)
    return text


def test_the_example_is_the_whole_output_for_dev_with_codecommit_closed(account, run_preflight):
    instances = account.instances("MyDemoInstance")
    account.ecs("dev")
    account.lambda_function("dev")
    account.codecommit(closed=True)
    account.connection()
    account.ssm_agent(instances)

    code, out, _ = run_preflight("dev")

    assert code == 1
    report = out[: out.index("\n\nAWS CLI behind each read:")]
    assert INSTANCE.sub("i-<id>", excerpt()) == INSTANCE.sub("i-<id>", report)
