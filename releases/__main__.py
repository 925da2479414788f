"""`python -m releases [STACK...] [--service NAME] [--region R] [--max-executions N] [--json]`."""

import sys

from releases.cli import main

sys.exit(main())
