"""Policies on CodeDeploy deployment groups and the deployments a pipeline makes."""
