"""Policies on CodeBuild projects."""
