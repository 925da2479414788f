"""Answers to invokes (data sources) that the offline preview can give without the cloud."""
