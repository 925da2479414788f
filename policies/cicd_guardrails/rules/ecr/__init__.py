"""Policies on ECR repositories."""
