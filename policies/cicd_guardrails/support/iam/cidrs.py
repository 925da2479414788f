"""CIDR parsing and containment for `aws:SourceIp` conditions and the `allowedCidrs` policy config.

Decisions, each chosen so that a mistake can only make us stricter than IAM, never looser:

- A bare address is a single host: `/32` for IPv4, `/128` for IPv6 (IAM reads it the same way).
- Host bits are accepted and masked (`192.0.2.7/24` is `192.0.2.0/24`, i.e. `strict=False`): IAM
  matches the request address against the network the prefix length describes, so the masked
  network is exactly what the condition lets in.
- IPv4-mapped IPv6 networks (`::ffff:192.0.2.0/120`) are read as the IPv4 network they denote. If
  IAM matched IPv4 callers against them, that is exact; if it did not, the condition only admits
  fewer callers. Either way `::ffff:0:0/96` can no longer pass for something narrower than
  `0.0.0.0/0`; an IPv6 network wide enough to contain the whole mapped range (`::/64`) is refused
  for the same reason.
- A network with prefix length 0 (`0.0.0.0/0`, `::/0`) is "everywhere" and never restricts.
- Anything else (`10.0.0.0/33`, `300.1.1.1`, `" 10.0.0.0/8"`, a policy variable, a number) is
  malformed; we do not strip or repair input that IAM itself would not accept.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

EVERYWHERE_PREFIX_LENGTH = 0
IPV4_MAPPED_RANGE = ipaddress.IPv6Network("::ffff:0:0/96")


class CidrError(ValueError):
    """A CIDR that cannot restrict anything; `str()` is "<value> <reason>" for a one-line message."""

    def __init__(self, value: object, reason: str) -> None:
        super().__init__(f"{value!r} {reason}")
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class ParsedCidr:
    """A CIDR as written and the network it denotes after masking and IPv4-mapped unwrapping."""

    text: str
    network: Network


def parse_cidr(value: object) -> ParsedCidr:
    """Parse one CIDR (or bare address); raise CidrError if it is malformed or means everywhere."""
    if not isinstance(value, str):
        raise CidrError(value, "is not a CIDR string")
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise CidrError(value, "is not a valid IPv4/IPv6 CIDR") from None
    network = _unwrap_ipv4_mapped(network)
    if network.prefixlen == EVERYWHERE_PREFIX_LENGTH:
        raise CidrError(value, "allows every address")
    if isinstance(network, ipaddress.IPv6Network) and network.supernet_of(IPV4_MAPPED_RANGE):
        raise CidrError(value, "contains every IPv4-mapped address, i.e. all of IPv4")
    return ParsedCidr(value, network)


def is_within(inner: Network, allowed: Iterable[Network]) -> bool:
    """True when every address of `inner` lies inside one of the `allowed` networks."""
    return any(
        inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]
        for outer in allowed
    )


def covers_whole_family(networks: Iterable[Network]) -> bool:
    """True when the networks together span all of IPv4 or all of IPv6 (e.g. 0.0.0.0/1 + 128.0.0.0/1).

    Used without `allowedCidrs`, where "not everywhere" must not be defeated by splitting
    everywhere into halves.
    """
    by_version: dict[int, list[Network]] = {}
    for network in networks:
        by_version.setdefault(network.version, []).append(network)
    for same_family in by_version.values():
        collapsed = list(ipaddress.collapse_addresses(same_family))  # type: ignore[arg-type]
        if any(n.prefixlen == EVERYWHERE_PREFIX_LENGTH for n in collapsed):
            return True
    return False


def _unwrap_ipv4_mapped(network: Network) -> Network:
    if not isinstance(network, ipaddress.IPv6Network):
        return network
    mapped = network.network_address.ipv4_mapped
    if mapped is None or network.prefixlen < IPV4_MAPPED_RANGE.prefixlen:
        return network
    return ipaddress.IPv4Network((mapped, network.prefixlen - IPV4_MAPPED_RANGE.prefixlen))
