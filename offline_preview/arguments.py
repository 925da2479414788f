"""Command-line parsing whose usage errors are one line, like every other error of our commands."""

import argparse
from typing import NoReturn

USAGE_ERROR = 2


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument prints `prog: error: ...; see --help` instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}; see {self.prog} --help\n")
