"""`python -m troubleshoot STACK [--service NAME] [--execution ID] [--json] [--outputs FILE] [--timeout S]`."""

import sys

try:
    from troubleshoot.cli import main
except KeyboardInterrupt:  # Ctrl-C while boto3 and rich load: the same one line as later on
    print("interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
