"""`bin/preflight STACK`: read-only checks of an AWS account before the stack's first `pulumi up`.

What a new account trips on, checked with the names the program will use (`components/shared/naming.py`,
`components/release/release_names.py`) and the stack's settings (`components/config`): the account,
the region's services, CodeCommit being closed to new customers, the CodeConnections connections, the
ECS services, listeners and target groups, the Lambda functions and aliases, the EC2 instances and
their CodeDeploy agent, AWS Config recording, physical names already taken, quotas, and the promotion
upstream. It reads through troubleshoot's `AwsReader`, so every read is printed as its AWS CLI command.
"""
