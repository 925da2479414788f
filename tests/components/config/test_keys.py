"""The key table is the one source of each key: the settings' fields, types and defaults follow it."""

import dataclasses
import typing

import pytest

from components.config import PlatformSettings
from components.config.keys import STACK_KEYS, TOP_LEVEL_KEYS, ConfigKey, default
from components.config.rules import OWN_RULES

FIELDS = {field.name: field for field in dataclasses.fields(PlatformSettings)}
HINTS = typing.get_type_hints(PlatformSettings)
KIND_TYPES = {"boolean": bool, "integer": int, "string": str, "strings": tuple[str, ...]}


def test_every_key_is_one_settings_field_and_every_field_one_key():
    assert sorted(key.attribute for key in STACK_KEYS) == sorted(FIELDS)
    assert len(set(TOP_LEVEL_KEYS)) == len(TOP_LEVEL_KEYS)


@pytest.mark.parametrize("key", STACK_KEYS, ids=lambda key: key.name)
def test_the_field_default_is_the_table_default(key: ConfigKey):
    field = FIELDS[key.attribute]
    if key.required:
        assert field.default is dataclasses.MISSING
        with pytest.raises(KeyError, match="required"):
            default(key.name)
    else:
        assert field.default == key.default
        assert type(field.default) is type(key.default)


@pytest.mark.parametrize("key", STACK_KEYS, ids=lambda key: key.name)
def test_the_field_type_is_the_kind_of_the_key(key: ConfigKey):
    hint = HINTS[key.attribute]
    if key.kind == "choice":
        assert typing.get_origin(hint) is typing.Literal or hint is str, hint
        if typing.get_origin(hint) is typing.Literal:
            assert typing.get_args(hint) == key.allowed
    elif key.kind == "objects":
        assert typing.get_origin(hint) is tuple
    else:
        assert hint == KIND_TYPES[key.kind]


@pytest.mark.parametrize("key", STACK_KEYS, ids=lambda key: key.name)
def test_each_key_has_what_its_reader_needs_and_a_sentence_saying_what_it_does(key: ConfigKey):
    assert key.description[0].isupper() and key.description.endswith("."), key.description
    if key.name in OWN_RULES:
        return
    if key.kind in ("integer", "choice"):
        assert key.allowed, f"{key.name}: a {key.kind} key lists what it allows"
    if key.kind == "strings":
        assert key.pattern is not None and key.fix, (
            f"{key.name}: each item needs a pattern and a fix"
        )
    assert key.kind != "objects", f"{key.name}: objects need rules of their own"


def test_the_attribute_is_the_snake_case_of_the_key():
    assert ConfigKey("kmsDeletionWindowDays", "integer", "A.").attribute == (
        "kms_deletion_window_days"
    )


def test_the_platform_type_lists_the_platforms_the_rules_accept():
    from components.config import ComputePlatform
    from components.config.allowed import COMPUTE_PLATFORMS

    assert typing.get_args(ComputePlatform) == COMPUTE_PLATFORMS
