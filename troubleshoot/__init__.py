"""`bin/troubleshoot STACK`: say why a service's last pipeline run failed, the way a user would find out.

It reads what CodePipeline, CodeBuild, CloudWatch Logs, CodeDeploy and CloudWatch know about the run
(boto3, the user's own credentials) and prints the AWS CLI command behind every step, so the same
investigation can be repeated by hand.
"""
