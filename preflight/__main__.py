"""`python -m preflight STACK [--service NAME] [--region R] [--account ID] [--json]`."""

import sys

from preflight.cli import main

sys.exit(main())
