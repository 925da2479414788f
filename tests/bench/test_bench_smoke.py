"""The benchmark runs end to end at N=1 and writes its outputs (never a timing assertion)."""

import csv
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_bench_at_one_service_writes_a_row_per_size_and_a_plot(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "1", "--repeats", "1", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader((tmp_path / "bench.csv").open()))
    assert [row["services"] for row in rows] == ["1"]
    # The floor replays exactly what we registered (the suite checks it), so both ran real resources.
    assert int(rows[0]["resources"]) > 1
    assert float(rows[0]["ours_s"]) > 0 and float(rows[0]["floor_s"]) > 0
    assert float(rows[0]["ours_rss_mib"]) > 0 and float(rows[0]["floor_rss_mib"]) > 0
    assert (tmp_path / "bench.png").stat().st_size > 0
    assert "ours/floor" in done.stdout
