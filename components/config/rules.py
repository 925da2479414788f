"""The rules a stack's settings meet; each broken rule is one ConfigError naming the key.

Allowed values are AWS's own (`allowed.py`), so a stack that passes here does not fail half-way through
`pulumi up`. Most keys are read the same way for their kind (`keys.py`); the CIDRs, the services and
the default service have rules of their own.
"""

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email

from components.config.allowed import MIN_PREFIX_LENGTH
from components.config.fields import FieldReader
from components.config.keys import KEYS_BY_NAME, STACK_KEYS, TOP_LEVEL_KEYS, ConfigKey
from components.config.model import PlatformSettings, ServiceSettings
from components.config.promotion_rules import (
    check_no_sources_when_promoted,
    check_promote_from,
    read_promote_to,
)
from components.config.service_rules import read_services

IPV4_MAPPED = ipaddress.ip_network("::ffff:0.0.0.0/96")
"""IPv4-mapped IPv6 addresses: a range holding this one admits every IPv4 address."""
ANY_TEXT = re.compile(r".+", re.DOTALL)

OWN_RULES = frozenset(
    {"allowedCidrs", "services", "defaultService", "notificationEmails", "promoteTo"}
)
"""Keys read by the functions below rather than by their kind."""


def read_platform(root: FieldReader, raw: Mapping[str, Any], stack: str) -> PlatformSettings:
    """All settings of one stack; the first broken rule raises."""
    raw = root.mapping(dict(raw), TOP_LEVEL_KEYS)
    allowed_cidrs = _cidrs(root.key("allowedCidrs"), raw.get("allowedCidrs"))
    check_no_sources_when_promoted(
        root.key("services"), raw.get("services"), raw.get("promoteFrom")
    )
    services = read_services(root.key("services"), raw.get("services"))
    default_service = _default_service(root.key("defaultService"), raw, services)
    by_kind = {
        key.attribute: _read(root.key(key.name), key, raw.get(key.name, key.default))
        for key in STACK_KEYS
        if key.name not in OWN_RULES
    }
    emails_key = KEYS_BY_NAME["notificationEmails"]
    check_promote_from(root, stack, by_kind)
    promote_to = read_promote_to(root.key("promoteTo"), raw.get("promoteTo", ()), stack, by_kind)
    return PlatformSettings(
        allowed_cidrs=allowed_cidrs,
        services=services,
        default_service=default_service,
        notification_emails=_emails(
            root.key(emails_key.name), raw.get(emails_key.name, emails_key.default)
        ),
        promote_to=promote_to,
        **by_kind,
    )


def _read(reader: FieldReader, key: ConfigKey, value: Any) -> Any:
    """A value of `key`'s kind, checked against what the key allows."""
    if key.kind == "boolean":
        return reader.boolean(value)
    if key.kind == "integer":
        assert isinstance(key.allowed, range | frozenset), key.name
        return reader.integer(value, key.allowed)
    if key.kind == "choice":
        assert isinstance(key.allowed, tuple), key.name
        return reader.choice(value, key.allowed)
    if key.kind == "string":
        if value == "" and key.default == "":
            return value  # an optional string left empty means its default
        return reader.string(value, key.pattern, key.fix)
    if key.kind == "strings" and key.pattern is not None:
        return _unique_strings(reader, value, key.pattern, key.fix)
    raise TypeError(f"{key.name}: a {key.kind} key needs a rule of its own in OWN_RULES")


def _default_service(
    reader: FieldReader, raw: Mapping[str, Any], services: tuple[ServiceSettings, ...]
) -> str:
    names = [service.name for service in services]
    # Empty (the schema default) means the first service.
    name = reader.string(
        raw.get("defaultService", KEYS_BY_NAME["defaultService"].default) or names[0]
    )
    if name not in names:
        reader.choice(name, names)  # raises with "did you mean"
    return name


def _cidrs(reader: FieldReader, value: Any) -> tuple[str, ...]:
    if value is None:
        raise reader.missing("list the CIDRs people and automation start pipelines from")
    cidrs: list[str] = []
    for index, item in enumerate(reader.sequence(value, min_items=1)):
        at = reader.item(index)
        text = at.string(item, allowed="use a CIDR like 192.0.2.0/24")
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            try:
                fixed = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise at.error(text, "is not a CIDR; use one like 192.0.2.0/24") from None
            raise at.error(text, f"has host bits set; did you mean {fixed}?") from None
        if network.prefixlen == 0:
            raise at.error(text, "would allow any address; list only your own networks")
        if network.version == 6 and IPV4_MAPPED.subnet_of(network):
            raise at.error(
                text, "maps every IPv4 address (::ffff:0.0.0.0/96); list only your own networks"
            )
        minimum = MIN_PREFIX_LENGTH[network.version]
        if network.prefixlen < minimum:
            raise at.error(
                text, f"is too broad; use a prefix of /{minimum} or longer (your own networks)"
            )
        if str(network) in cidrs:
            raise at.error(text, "is listed twice")
        cidrs.append(str(network))
    return tuple(cidrs)


def _emails(reader: FieldReader, value: Any) -> tuple[str, ...]:
    """Subscriber addresses, each checked by a real address validator (syntax only: no DNS)."""
    emails = _unique_strings(reader, value, ANY_TEXT, "use addresses like team@example.com")
    for index, email in enumerate(emails):
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as problem:
            reason = str(problem).rstrip(".")
            raise reader.item(index).error(
                email, f"is not an email address ({reason}); use one like team@example.com"
            ) from None
    return emails


def _unique_strings(
    reader: FieldReader, value: Any, pattern: re.Pattern[str], allowed: str
) -> tuple[str, ...]:
    items: list[str] = []
    for index, item in enumerate(reader.sequence(value)):
        text = reader.item(index).string(item, pattern, allowed)
        if text in items:
            raise reader.item(index).error(text, "is listed twice")
        items.append(text)
    return tuple(items)
