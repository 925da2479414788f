"""The cicd-guardrails policy pack: one module per concern, assembled by `policies/__main__.py`."""

from cicd_guardrails.pack import PACK_NAME, all_policies

__all__ = ["PACK_NAME", "all_policies"]
