"""The moto server and test account (`tests/support/moto_server.py`), a fresh release account per
test, and the steps run in-process."""

from collections.abc import Callable
from pathlib import Path

import pytest

from components.release.steps import confirm, publish, sign, verify
from components.release.steps.bake import Clock
from tests.support.aws_test_account import AwsTestAccount
from tests.support.moto_server import aws, moto_endpoint
from tests.support.release_account import BUILD_FILES, ReleaseAccount, write_tree

__all__ = [
    "aws",
    "downstream",
    "fake_clock",
    "moto_endpoint",
    "output",
    "published",
    "release",
    "run_confirm",
    "run_promoted_verify",
    "run_publish",
    "run_sign",
    "run_verify",
    "signed",
    "source",
]

NO_WAIT = ("--scan-timeout", "0", "--scan-interval", "0")
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def release(aws: AwsTestAccount) -> ReleaseAccount:
    """Signing keys, the versioned artifact bucket and the image repository with the commit's image."""
    return ReleaseAccount(aws).create()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The sign step's extracted primary input (the build output's files)."""
    return write_tree(tmp_path / "src", BUILD_FILES)


@pytest.fixture
def output(tmp_path: Path) -> Path:
    return tmp_path / "release"


@pytest.fixture
def run_sign(release: ReleaseAccount, source: Path, output: Path, capsys) -> Run:
    """Run the sign step with the release's environment plus overrides: (exit code, out, err)."""

    def run(clients=None, argv=NO_WAIT, **overrides: str) -> tuple[int, str, str]:
        environ = release.sign_environ(source, output, **overrides)
        code = sign.main(list(argv), environ, clients or release.clients())
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_verify(release: ReleaseAccount, capsys) -> Run:
    def run(clients=None, **overrides: str) -> tuple[int, str, str]:
        code = verify.main([], release.verify_environ(**overrides), clients or release.clients())
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_confirm(release: ReleaseAccount, capsys) -> Run:
    def run(clients=None, **overrides: str) -> tuple[int, str, str]:
        code = confirm.main([], release.confirm_environ(**overrides), clients or release.clients())
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def signed(release: ReleaseAccount, run_sign: Run, output: Path) -> Path:
    """A clean ECS-style release (build + image) signed and recorded as ReleaseOutput."""
    release.record_build()
    release.record_image()
    release.queue_action_executions()
    release.queue_scan()
    code, out, err = run_sign()
    assert (code, err) == (0, ""), out + err
    release.record_release(output)
    return output


class FakeClock:
    """The bake's clock: `sleep` moves time on at once and runs what the test planned for then."""

    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []
        self.after_sleep: dict[int, Callable[[], None]] = {}
        """Sleep number (1, 2, ...) -> what happens in the world during that sleep."""

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds
        if len(self.sleeps) in self.after_sleep:
            self.after_sleep[len(self.sleeps)]()

    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def downstream(release: ReleaseAccount) -> ReleaseAccount:
    """The release account with staging (signing key, bucket), artifact keys and dev's alarms."""
    release.add_downstream()
    for alarm in ("api-5xx", "api-latency"):
        release.create_alarm(alarm)
    return release


@pytest.fixture
def run_publish(downstream: ReleaseAccount, fake_clock: FakeClock, capsys) -> Run:
    """Run the publish step (dev's environment by default): (exit code, out, err)."""

    def run(clients=None, **overrides: str) -> tuple[int, str, str]:
        environ = downstream.publish_environ(**overrides)
        code = publish.main([], environ, clients or downstream.clients(), fake_clock.clock())
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_promoted_verify(downstream: ReleaseAccount, capsys) -> Run:
    """Run the verify step in promotion mode (staging's environment by default)."""

    def run(clients=None, **overrides: str) -> tuple[int, str, str]:
        environ = downstream.promoted_verify_environ(**overrides)
        code = verify.main([], environ, clients or downstream.clients())
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def published(downstream: ReleaseAccount, signed: Path, run_publish: Run) -> Path:
    """Dev's signed release (built, signed, deployed), baked and published to staging."""
    downstream.queue_action_executions()
    code, out, err = run_publish()
    assert (code, err) == (0, ""), out + err
    return signed
