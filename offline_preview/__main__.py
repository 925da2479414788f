"""`python -m offline_preview --stack dev --policy-pack policies --policy-pack-config policies/config/dev.json`."""

import sys

from offline_preview.cli import main

sys.exit(main())
