"""`python -m troubleshoot STACK [--service NAME] [--execution ID] [--json] [--outputs FILE]`."""

import sys

from troubleshoot.cli import main

sys.exit(main())
