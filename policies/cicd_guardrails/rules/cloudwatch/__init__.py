"""Policies on CloudWatch log groups, metric alarms and the SNS topics they notify."""
