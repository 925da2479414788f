"""Policies on KMS keys."""
