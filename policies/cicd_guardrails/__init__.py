"""The cicd-guardrails policy pack: `rules/<service>/` judge, `support/` helps, `pack.py` assembles."""

from cicd_guardrails.pack import PACK_NAME, all_policies

__all__ = ["PACK_NAME", "all_policies"]
