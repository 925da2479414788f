"""The release step programs (sign, verify, confirm) that run inside stack-owned CodeBuild projects.

The stack copies these files verbatim into `release_steps/` and runs `python3 -m release_steps.<step>`:
they import only the standard library, boto3/botocore and each other (relative imports).
"""
