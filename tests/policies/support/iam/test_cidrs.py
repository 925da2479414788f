"""CIDR parsing and containment: what an `aws:SourceIp` value or an `allowedCidrs` entry means."""

import ipaddress

import pytest

from cicd_guardrails.support.iam.cidrs import CidrError, covers_whole_family, is_within, parse_cidr


@pytest.mark.parametrize(
    ("text", "network"),
    [
        ("192.0.2.0/24", "192.0.2.0/24"),
        ("192.0.2.7/24", "192.0.2.0/24"),  # host bits masked, as IAM matches the network
        ("192.0.2.7", "192.0.2.7/32"),  # bare IPv4 address is one host
        ("2001:db8::/32", "2001:db8::/32"),
        ("2001:db8::1", "2001:db8::1/128"),  # bare IPv6 address is one host
        ("::ffff:192.0.2.0/120", "192.0.2.0/24"),  # IPv4-mapped read as the IPv4 it denotes
    ],
)
def test_parses_networks(text, network):
    assert parse_cidr(text).network == ipaddress.ip_network(network)
    assert parse_cidr(text).text == text


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0.0.0.0/0", "allows every address"),
        ("::/0", "allows every address"),
        ("::ffff:0:0/96", "allows every address"),  # every IPv4 address in mapped form
        ("::/64", "contains every IPv4-mapped address"),
        ("10.0.0.0/33", "is not a valid IPv4/IPv6 CIDR"),
        ("300.1.1.1/32", "is not a valid IPv4/IPv6 CIDR"),
        (" 10.0.0.0/8", "is not a valid IPv4/IPv6 CIDR"),
        ("${aws:SourceIp}", "is not a valid IPv4/IPv6 CIDR"),
        ("", "is not a valid IPv4/IPv6 CIDR"),
        (24, "is not a CIDR string"),
        (None, "is not a CIDR string"),
    ],
)
def test_refuses_cidrs_that_cannot_restrict(value, reason):
    with pytest.raises(CidrError) as raised:
        parse_cidr(value)
    assert raised.value.reason.startswith(reason)
    assert str(raised.value) == f"{value!r} {raised.value.reason}"


def _nets(*texts):
    return [parse_cidr(t).network for t in texts]


@pytest.mark.parametrize(
    ("inner", "allowed", "inside"),
    [
        ("192.0.2.0/25", ["192.0.2.0/24"], True),
        ("192.0.2.0/24", ["192.0.2.0/24"], True),
        ("192.0.2.9", ["192.0.2.0/24"], True),
        ("192.0.0.0/16", ["192.0.2.0/24"], False),  # wider than allowed
        ("198.51.100.0/24", ["192.0.2.0/24"], False),
        ("2001:db8::/48", ["192.0.2.0/24", "2001:db8::/32"], True),
        ("2001:db8::/48", ["192.0.2.0/24"], False),  # IPv6 never inside an IPv4 allowance
        ("::ffff:192.0.2.8/125", ["192.0.2.0/24"], True),
    ],
)
def test_containment(inner, allowed, inside):
    assert is_within(parse_cidr(inner).network, _nets(*allowed)) is inside


def test_halves_of_everywhere_cover_the_family():
    assert covers_whole_family(_nets("0.0.0.0/1", "128.0.0.0/1"))
    ipv6_halves = [ipaddress.ip_network("::/1"), ipaddress.ip_network("8000::/1")]
    assert covers_whole_family(ipv6_halves)
    assert not covers_whole_family(_nets("0.0.0.0/1", "192.0.2.0/24"))
    assert not covers_whole_family(_nets("10.0.0.0/8", "2001:db8::/32"))
