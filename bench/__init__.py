"""Benchmark: the cost of an offline preview (program + policy pack) as a stack grows, against the SDK floor."""
