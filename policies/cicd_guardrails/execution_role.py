"""Placeholder until the module lands."""

POLICIES: list = []
