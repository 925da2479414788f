"""Policies on S3 buckets and their bucket-side resources."""
