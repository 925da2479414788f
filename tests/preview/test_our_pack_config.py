"""Our pack's own config: a value its schema refuses is a bad `--policy-pack-config`, not a violation."""

import json

import pytest

from tests.support.preview_runs import REPO, assert_one_line_error, preview

POLICY = "execution-role-ip-restricted"


def run_dev_with(tmp_path, allowed_cidrs):
    config = json.loads((REPO / "policies" / "config" / "dev.json").read_text())
    config[POLICY]["allowedCidrs"] = allowed_cidrs
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(config))
    return preview("--stack", "dev", "--policy-pack", "policies", "--policy-pack-config", path)


@pytest.mark.parametrize(
    ("cidrs", "fragment"),
    [
        ([], f"{POLICY}.allowedCidrs: [] should be non-empty"),
        (["0.0.0.0/0"], f"{POLICY}.allowedCidrs[0]: '0.0.0.0/0' does not match"),
        (["::/0"], f"{POLICY}.allowedCidrs[0]: '::/0' does not match"),
        (["192.0.2.0"], f"{POLICY}.allowedCidrs[0]: '192.0.2.0' does not match"),
        (["office"], f"{POLICY}.allowedCidrs[0]: 'office' does not match"),
    ],
)
def test_an_empty_unparsable_or_everywhere_network_is_a_bad_config(tmp_path, cidrs, fragment):
    assert_one_line_error(run_dev_with(tmp_path, cidrs), fragment)


def test_the_generated_dev_config_is_accepted(tmp_path):
    result = run_dev_with(tmp_path, ["192.0.2.0/24"])
    assert result.code == 0, (result.stdout, result.stderr)
