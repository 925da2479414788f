"""Stack and project files decode as the CLI's YAML reader (gopkg.in/yaml.v3) decodes them."""

import math

import pytest
import yaml

from offline_preview import go_yaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on", "on"),
        ("yes", "yes"),
        ("No", "No"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("", None),
        ("Null", None),
        ("017", 15),  # yaml.v3 keeps YAML 1.1 octals
        ("0o17", 15),
        ("0x1F", 31),
        ("-0b11", -3),
        ("1_000", 1000),
        ("+7", 7),
        ("08", 8.0),  # not an octal, so a float (ParseFloat)
        ("1e3", 1000.0),
        (".5", 0.5),
        ("1:20", "1:20"),  # YAML 1.1 sexagesimal is a string in yaml.v3
        ("2001-12-14", "2001-12-14"),  # timestamps stay strings in an untyped value
        ("1.5.6", "1.5.6"),
        ("99999999999999999999999", 1e23),
        ('"true"', "true"),
    ],
)
def test_plain_scalars_resolve_as_in_yaml_v3(text, expected):
    assert go_yaml.load(f"value: {text}\n") == {"value": expected}


def test_infinities_and_nan():
    decoded = go_yaml.load("a: .inf\nb: -.Inf\nc: .NaN\n")
    assert decoded["a"] == math.inf and decoded["b"] == -math.inf and math.isnan(decoded["c"])


def test_a_duplicated_key_is_refused_with_both_lines():
    with pytest.raises(
        yaml.YAMLError, match=r'mapping key "privilegedMode" already defined at line 2'
    ):
        go_yaml.load("config:\n  privilegedMode: false\n  privilegedMode: true\n")


def test_keys_are_compared_by_their_text_as_in_yaml_v3():
    with pytest.raises(yaml.YAMLError, match=r'mapping key "1" already defined'):
        go_yaml.load('1: a\n"1": b\n')


def test_merge_keys_may_be_overridden_without_a_duplicate_error():
    assert go_yaml.load("base: &b {x: 1, y: 2}\nchild: {<<: *b, y: 3}\n")["child"] == {
        "x": 1,
        "y": 3,
    }


def test_an_explicit_bool_tag_on_yes_is_refused_like_yaml_v3():
    with pytest.raises(yaml.YAMLError, match=r"cannot decode !!str `yes` as a !!bool"):
        go_yaml.load("a: !!bool yes\n")


def test_binary_values_become_the_decoded_string():
    assert go_yaml.load("a: !!binary aGVsbG8=\n") == {"a": "hello"}
