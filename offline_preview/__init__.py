"""Offline `pulumi preview --policy-pack`: runs a stack under the mock runtime and a policy pack over the analyzer protocol."""
