"""Policies on CodePipeline pipelines and the CodeBuild projects that hold their artifacts."""
