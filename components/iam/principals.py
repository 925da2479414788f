"""The AWS service principals our roles and resource policies name, each defined once."""

CODEBUILD_PRINCIPAL = "codebuild.amazonaws.com"
CODEDEPLOY_PRINCIPAL = "codedeploy.amazonaws.com"
CODEPIPELINE_PRINCIPAL = "codepipeline.amazonaws.com"
EVENTS_PRINCIPAL = "events.amazonaws.com"
ALARMS_PRINCIPAL = "cloudwatch.amazonaws.com"
ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"

ANY_RESOURCE = "*"
"""Only for actions without resource-level permissions; each use names the actions in a comment."""

MAX_SESSION_SECONDS = 3600
"""An hour, for every role: long enough for a build, a deployment or watching a release, and short-lived
if a session leaks."""
