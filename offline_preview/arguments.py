"""Command-line parsing whose usage errors are one line, like every other error of our commands."""

import argparse
import json
from typing import NoReturn

from components.release.steps.step_io import safe

USAGE_ERROR = 2


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument prints `prog: error: ...; see --help` instead of the usage block.

    With `json_errors` set (the command was asked for `--json`), the error is also printed on stdout
    as the JSON error document `{"error": ..., "exitCode": 2}`, like every other exit 2.
    """

    json_errors = False

    def error(self, message: str) -> NoReturn:
        line = safe(f"{message}; see {self.prog} --help")  # argparse quotes the user's arguments
        if self.json_errors:
            print(json.dumps({"error": line, "exitCode": USAGE_ERROR}, indent=2))
        self.exit(USAGE_ERROR, f"{self.prog}: error: {line}\n")
