"""Read a policy's `--policy-pack-config` properties, refusing bad values with a one-line message.

The CLI validates the file against each policy's `config_schema` before `Configure`; these readers
are the second line for callers that skip it (tests, the offline preview), so a mistyped value is
reported as a violation naming the key and the fix instead of surfacing as a traceback.
"""

import ipaddress
import re
from collections.abc import Mapping
from typing import Any


class PolicyConfigError(ValueError):
    """A policy config value of the wrong type or range; the message is one line."""


def config_bool(policy: str, config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise PolicyConfigError(
            f"policy config {policy}.{key} is {value!r}; set it to true or false"
        )
    return value


def config_int(
    policy: str, config: Mapping[str, Any], key: str, default: int, minimum: int, maximum: int
) -> int:
    value = config.get(key, default)
    # JSON numbers arrive as floats through the protobuf Struct.
    whole = isinstance(value, int | float) and not isinstance(value, bool) and value == int(value)
    if not whole or not minimum <= int(value) <= maximum:
        raise PolicyConfigError(
            f"policy config {policy}.{key} is {value!r}; set it to a whole number "
            f"from {minimum} to {maximum}"
        )
    return int(value)


ACCOUNT_ID_RE = re.compile(r"^\d{12}$")


def config_accounts(policy: str, config: Mapping[str, Any], key: str) -> frozenset[str]:
    """A list of 12-digit AWS account ids (absent: none), refused as a whole when one is not."""
    value = config.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(item, str) and ACCOUNT_ID_RE.match(item) for item in value
    ):
        raise PolicyConfigError(
            f"policy config {policy}.{key} is {value!r}; set it to a list of 12-digit AWS "
            'account ids, e.g. ["111122223333"]'
        )
    return frozenset(value)


MIN_CIDR_PREFIX_LENGTH = {4: 8, 6: 32}
"""The broadest network a policy config may allow, per IP version: the stack config's own limit
(`components/config/allowed.py` `MIN_PREFIX_LENGTH`, which refuses `allowedCidrs` broader than /8 or,
for IPv6, /32). The pack runs from `policies/` and cannot import the program, so the value is repeated
here; `tests/policies/test_config_files.py` proves both agree."""
_MAX_PREFIX_LENGTH = {4: 32, 6: 128}
_IPV4_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"


def cidr_schema_pattern() -> str:
    """A JSON-schema pattern (RE2: the CLI validates with Go) for a CIDR within the limits above.

    IPv6 addresses are matched loosely (hex digits and colons); what a pattern cannot see (host bits,
    an IPv4-mapped range) the policy's own reader refuses.
    """

    def lengths(version: int) -> str:
        return "|".join(
            str(n) for n in range(MIN_CIDR_PREFIX_LENGTH[version], _MAX_PREFIX_LENGTH[version] + 1)
        )

    return (
        rf"^(({_IPV4_OCTET}\.){{3}}{_IPV4_OCTET}/({lengths(4)})"
        rf"|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/({lengths(6)}))$"
    )


def check_cidr_breadth(policy: str, key: str, value: Any) -> None:
    """Refuse a configured CIDR broader than the stack config accepts (one line naming it)."""
    if not isinstance(value, list):
        return  # the policy's own reader reports a value that is not a list
    for index, item in enumerate(value):
        try:
            network = ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            continue  # not a CIDR: the policy's own reader reports it
        minimum = MIN_CIDR_PREFIX_LENGTH[network.version]
        if network.prefixlen < minimum:
            raise PolicyConfigError(
                f"policy config {policy}.{key}[{index}] is {item!r}, broader than the /{minimum} "
                f"the stack config allowedCidrs accepts; list only your own networks with a prefix "
                f"of /{minimum} or longer (copy them from the stack file: "
                "venv/bin/python -m tools.generate_config_files)"
            )
