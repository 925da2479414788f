"""Policies on CodeCommit repositories."""
