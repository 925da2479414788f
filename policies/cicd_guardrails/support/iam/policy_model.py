"""IAM identity-policy documents as IAM evaluates them: parsing, action and resource wildcards.

A document arrives from the engine as a JSON string (what pulumi-aws sends for `policy`) or as an
object (a `PolicyDocument` passed as a dict), possibly secret-wrapped, and always behind the SDK's
unknown-checking proxy. `parse_policy_document` turns it into plain, immutable statements; any
not-yet-known part raises the SDK's `UnknownValueError`, which the SDK reports as "can't run policy
during preview" instead of letting a half-known document pass.

Where IAM's own rules are loose or undocumented we pick the reading that can only make a policy
stricter: element names (`Statement`, `Action`, ...) and the `Effect` value are matched
case-insensitively (if IAM rejects `"action"`, nothing is granted and our extra strictness costs
nothing; if it accepts it, we did not miss a grant), and a document whose shape IAM would refuse
is reported as invalid rather than guessed at. The same goes for text that JSON parsers read
differently: an object with a key twice (`{"Effect": "Deny", "Effect": "Allow"}`: Python keeps the
last, other parsers the first, IAM documents neither), `NaN`/`Infinity` (not JSON, though Python
accepts them), and an action padded with whitespace (IAM might trim it; we cannot know).
"""

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cicd_guardrails.support.wire import known_plain

ALLOW = "Allow"
DENY = "Deny"
WILDCARD = "*"
POLICY_VARIABLE_START = "${"


class PolicyDocumentError(ValueError):
    """A document IAM would reject (bad JSON, wrong shape); the message is one line for a violation."""


@dataclass(frozen=True)
class Condition:
    """One `operator: {key: values}` entry; several entries of a statement are ANDed by IAM."""

    operator: str
    key: str
    values: tuple[object, ...]

    def key_is(self, key: str) -> bool:
        """Condition keys are case-insensitive in IAM (`AWS:SOURCEIP` is `aws:SourceIp`)."""
        return self.key.lower() == key.lower()


@dataclass(frozen=True)
class Statement:
    """One statement, numbered from 1 as people count them in messages."""

    number: int
    sid: str | None
    effect: str
    action_patterns: tuple[str, ...]
    not_action: bool
    resource_patterns: tuple[str, ...]
    not_resource: bool
    conditions: tuple[Condition, ...]
    principals: tuple[tuple[str, str], ...] = ()
    not_principal: bool = False

    @property
    def label(self) -> str:
        return f'statement {self.number} ("{self.sid}")' if self.sid else f"statement {self.number}"

    def applies_to_action(self, action: str) -> bool:
        """Whether IAM would consider this statement for a request to `action`."""
        matched = any(action_pattern_matches(p, action) for p in self.action_patterns)
        return matched != self.not_action

    def describe_action_grant(self, action: str) -> str:
        """How this statement reaches `action`, for a message: the matching pattern or the NotAction."""
        if self.not_action:
            excluded = ", ".join(self.action_patterns) or "nothing"
            return f"{action} through NotAction (which excludes only {excluded})"
        return ", ".join(p for p in self.action_patterns if action_pattern_matches(p, action))


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]


def parse_policy_document(raw: object) -> PolicyDocument:
    """Parse a document given as JSON text or an object; raise PolicyDocumentError if IAM would not."""
    value = known_plain(raw)
    if isinstance(value, str):
        return _parse_document_text(value)
    return _parse_document_object(value)


# Three policies read every identity-policy document (execution-role-ip-restricted,
# iam-no-admin-statement, iam-actions-exist); the parsed document is immutable, so they share one parse.
PARSED_TEXT_CACHE_SIZE = 4096


@lru_cache(maxsize=PARSED_TEXT_CACHE_SIZE)
def _parse_document_text(text: str) -> PolicyDocument:
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise PolicyDocumentError(f"is not valid JSON ({error})") from None
    return _parse_document_object(known_plain(value))


def _parse_document_object(value: object) -> PolicyDocument:
    if not isinstance(value, dict):
        raise PolicyDocumentError(f"must be a JSON object, got {type(value).__name__}")
    statements = _element(value, "Statement", "the document")
    if statements is None:
        raise PolicyDocumentError("has no Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyDocumentError("Statement must be an object or a list of objects")
    return PolicyDocument(tuple(_parse_statement(s, n) for n, s in enumerate(statements, 1)))


# Every policy asks about the same few actions against the same few hundred patterns.
@lru_cache(maxsize=8192)
def action_pattern_matches(pattern: str, action: str) -> bool:
    """IAM action match: `*` and `?` wildcards, case-insensitive service prefix and name."""
    return _glob_regex(pattern, ignore_case=True).fullmatch(action) is not None


def resource_pattern_covers(general: str, specific: str) -> bool:
    """True only when every ARN matched by `specific` is also matched by `general` (case-sensitive).

    Sound, not complete: a `*` in `specific` can only be absorbed by a `*` in `general`, and a `?`
    by `?` or `*`. A policy variable (`${aws:username}`) in `specific` may expand to anything, so it
    is read as `*`; one in `general` makes us give up, since we cannot tell what it will cover.
    """
    if POLICY_VARIABLE_START in general:
        return False
    return _covers(general, without_policy_variables(specific))


def without_policy_variables(pattern: str) -> str:
    """The pattern with every policy variable (`${aws:username}`) read as `*`: it may expand to anything."""
    return (
        re.sub(r"\$\{[^}]*\}", WILDCARD, pattern) if POLICY_VARIABLE_START in pattern else pattern
    )


# An ARN-format variable (`${Region}`) in a glob: any run of characters without a colon. Only the
# ARN formats of `arn_formats` produce it; it never comes from a policy document.
SEGMENT = "\x1f"
_STARS = (WILDCARD, SEGMENT)
# Beyond this many globs an intersection is answered by its second operand, a superset of it: a
# caller that asks "what may this grant reach" then gets a larger answer, never a smaller one.
MAX_INTERSECTION_GLOBS = 16


def shown_glob(glob: str) -> str:
    """A glob as a message shows it: an ARN-format variable reads as `*`."""
    return glob.replace(SEGMENT, WILDCARD)


@lru_cache(maxsize=4096)
def pattern_intersection(first: str, second: str) -> tuple[str, ...]:
    """Globs whose union holds every string both globs match (exactly, up to `?` next to a
    SEGMENT); () when no string matches both.

    Read as the product of the two patterns' automata: where both sit on a star any character may
    follow, where one sits on a star the other's character is taken, else both must agree.
    When the answer would have more than MAX_INTERSECTION_GLOBS globs, `(second,)` stands for it.
    """
    try:
        found = _intersection(first, second, 0, 0, {})
    except _TooManyGlobs:
        return (second,)
    return tuple(sorted(_without_subsumed(found)))


class _TooManyGlobs(Exception):
    pass


def _intersection(
    a: str, b: str, i: int, j: int, memo: dict[tuple[int, int], frozenset[str]]
) -> frozenset[str]:
    if (i, j) in memo:
        return memo[(i, j)]
    a_star = i < len(a) and a[i] in _STARS
    b_star = j < len(b) and b[j] in _STARS
    found: set[str] = set()
    if i == len(a) and j == len(b):
        found.add("")
    elif a_star and b_star:  # both loop on the narrower star, then one of them ends
        loop = SEGMENT if SEGMENT in (a[i], b[j]) else WILDCARD
        tails = _intersection(a, b, i + 1, j, memo) | _intersection(a, b, i, j + 1, memo)
        found.update(_joined(loop, tail) for tail in tails)
    elif a_star:  # the star ends here, or absorbs b's next character
        found.update(_intersection(a, b, i + 1, j, memo))
        if j < len(b) and _absorbs(a[i], b[j]):
            found.update(b[j] + tail for tail in _intersection(a, b, i, j + 1, memo))
    elif b_star:
        found.update(_intersection(a, b, i, j + 1, memo))
        if i < len(a) and _absorbs(b[j], a[i]):
            found.update(a[i] + tail for tail in _intersection(a, b, i + 1, j, memo))
    elif i < len(a) and j < len(b) and (a[i] == b[j] or "?" in (a[i], b[j])):
        character = b[j] if a[i] == "?" else a[i]
        found.update(character + tail for tail in _intersection(a, b, i + 1, j + 1, memo))
    if len(found) > MAX_INTERSECTION_GLOBS:
        raise _TooManyGlobs
    memo[(i, j)] = frozenset(found)
    return memo[(i, j)]


def _absorbs(star: str, character: str) -> bool:
    """Whether a star may consume this character (`?` is kept, a superset where a colon is barred)."""
    return star == WILDCARD or character != ":"


def _joined(head: str, tail: str) -> str:
    """Two stars in a row are one star, the wider of the two."""
    if tail[:1] in _STARS:
        return (WILDCARD if WILDCARD in (head, tail[0]) else SEGMENT) + tail[1:]
    return head + tail


def _without_subsumed(globs: frozenset[str]) -> set[str]:
    """Drop a glob that another one already covers (`arn:a*` next to `arn:*`)."""
    kept = set(globs)
    for glob in sorted(globs):
        if any(other != glob and other in kept and _covers(other, glob) for other in globs):
            kept.discard(glob)
    return kept


def _parse_statement(raw: object, number: int) -> Statement:
    where = f"statement {number}"
    if not isinstance(raw, dict):
        raise PolicyDocumentError(f"{where} must be an object")
    sid = _element(raw, "Sid", where)
    effect = _parse_effect(_element(raw, "Effect", where), where)
    actions, not_action = _either(raw, "Action", "NotAction", where)
    padded = [a for a in actions if a != a.strip()]
    if padded:
        element = "NotAction" if not_action else "Action"
        raise PolicyDocumentError(
            f"{where} {element} {padded[0]!r} has leading or trailing whitespace"
        )
    principals, not_principal = _parse_principals(raw, where)
    # Trust and resource policies name a Principal and may omit Resource; identity policies may not.
    has_resource = any(
        _element(raw, name, where) is not None for name in ("Resource", "NotResource")
    )
    if (principals or not_principal) and not has_resource:
        resources, not_resource = (), False
    else:
        resources, not_resource = _either(raw, "Resource", "NotResource", where)
    conditions = _parse_conditions(_element(raw, "Condition", where), where)
    return Statement(
        number=number,
        sid=sid if isinstance(sid, str) and sid else None,
        effect=effect,
        action_patterns=actions,
        not_action=not_action,
        resource_patterns=resources,
        not_resource=not_resource,
        conditions=conditions,
        principals=principals,
        not_principal=not_principal,
    )


def _parse_effect(value: object, where: str) -> str:
    if isinstance(value, str) and value.lower() in (ALLOW.lower(), DENY.lower()):
        return ALLOW if value.lower() == ALLOW.lower() else DENY
    raise PolicyDocumentError(f'{where} Effect must be "Allow" or "Deny", got {value!r}')


def _either(raw: dict, positive: str, negative: str, where: str) -> tuple[tuple[str, ...], bool]:
    """Read `Action`/`NotAction` (or `Resource`/`NotResource`): exactly one, a string or strings."""
    present = _element(raw, positive, where)
    absent = _element(raw, negative, where)
    if (present is None) == (absent is None):
        raise PolicyDocumentError(f"{where} must have exactly one of {positive} or {negative}")
    name, value = (positive, present) if present is not None else (negative, absent)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise PolicyDocumentError(f"{where} {name} must be a string or a list of strings")
    return tuple(values), present is None


def _parse_principals(raw: dict, where: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    """`Principal`/`NotPrincipal` as (type, value) pairs; `"*"` is ("*", "*")."""
    present = _element(raw, "Principal", where)
    absent = _element(raw, "NotPrincipal", where)
    if present is not None and absent is not None:
        raise PolicyDocumentError(f"{where} must not have both Principal and NotPrincipal")
    value = present if present is not None else absent
    if value is None:
        return (), False
    if value == WILDCARD:
        return ((WILDCARD, WILDCARD),), absent is not None
    if not isinstance(value, dict):
        raise PolicyDocumentError(f'{where} Principal must be "*" or an object')
    pairs = []
    for kind, names in value.items():
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
            raise PolicyDocumentError(f"{where} Principal.{kind} must be a string or strings")
        pairs.extend((kind, name) for name in listed)
    return tuple(pairs), absent is not None


def _parse_conditions(raw: object, where: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise PolicyDocumentError(f"{where} Condition must be an object")
    conditions: list[Condition] = []
    for operator, by_key in raw.items():
        if not isinstance(by_key, dict):
            raise PolicyDocumentError(f"{where} Condition.{operator} must be an object")
        for key, values in by_key.items():
            listed = tuple(values) if isinstance(values, list) else (values,)
            conditions.append(Condition(operator, key, listed))
    return tuple(conditions)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """json.loads hook: refuse an object that names a key twice instead of keeping the last."""
    keys = [key for key, _ in pairs]
    repeated = next((key for key in keys if keys.count(key) > 1), None)
    if repeated is not None:
        raise PolicyDocumentError(
            f"names the key {repeated!r} twice in one object (JSON parsers disagree on which "
            "one counts)"
        )
    return dict(pairs)


def _reject_constant(name: str) -> object:
    raise PolicyDocumentError(f"is not valid JSON ({name} is not a JSON number)")


def _element(raw: dict, name: str, where: str) -> object:
    """Look an element up case-insensitively; two spellings of one element are ambiguous."""
    matches = [key for key in raw if key.lower() == name.lower()]
    if len(matches) > 1:
        raise PolicyDocumentError(f"{where} has {name} spelled several ways: {', '.join(matches)}")
    return raw[matches[0]] if matches else None


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    translated = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern
    )
    return re.compile(translated, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


@lru_cache(maxsize=4096)
def _covers(general: str, specific: str) -> bool:
    """Glob inclusion by dynamic programming over (position in general, position in specific)."""

    @cache
    def from_(g: int, s: int) -> bool:
        if g == len(general):
            return s == len(specific)
        token = general[g]
        if token == "*":
            return from_(g + 1, s) or (s < len(specific) and from_(g, s + 1))
        if token == SEGMENT:  # absorbs what can hold no colon: a SEGMENT or a plain character
            absorbable = s < len(specific) and specific[s] not in ("*", "?", ":")
            return from_(g + 1, s) or (absorbable and from_(g, s + 1))
        if s == len(specific) or specific[s] in _STARS:
            return False
        if token == "?":
            return from_(g + 1, s + 1)
        return specific[s] == token and from_(g + 1, s + 1)

    return from_(0, 0)
