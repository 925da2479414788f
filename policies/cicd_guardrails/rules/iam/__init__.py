"""Policies on IAM identity policies and roles."""
