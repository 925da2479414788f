"""What each service deploys to must exist as CodeDeploy needs it: ECS, Lambda, EC2 instances."""

from typing import Any

from botocore.exceptions import ClientError

from components.config import ServiceSettings
from preflight.context import Context
from preflight.model import Check, Status

ECS_GUIDE = (
    "the ECS developer guide (Blue/green deployments with CodeDeploy) requires the service's "
    "deployment controller to be CODE_DEPLOY, which is set only when the service is created: "
    "recreate it with `--deployment-controller type=CODE_DEPLOY`"
)
AGENT_GUIDE = "install it (CodeDeploy user guide: Install the CodeDeploy agent)"
LINUX_AGENT, WINDOWS_AGENT = "codedeploy-agent", "CodeDeploy Host Agent"


def target_checks(context: Context) -> list[Check]:
    checks: list[Check] = []
    for service in context.services:
        if service.ecs:
            checks += _ecs(context, service)
        elif service.lambda_:
            checks += _lambda(context, service)
        else:
            checks += _ec2(context, service)
    return checks


# ECS ----------------------------------------------------------------------------------------------


def _ecs(context: Context, service: ServiceSettings) -> list[Check]:
    ecs = service.ecs
    assert ecs is not None
    where = f"{ecs.cluster_name}/{ecs.service_name}"
    checks = []
    try:
        answer = context.call(
            "ecs",
            "describe_services",
            f"check {service.name}'s ECS service exists with the CODE_DEPLOY deployment controller",
            ("ClusterNotFoundException",),
            cluster=ecs.cluster_name,
            services=[ecs.service_name],
        )
        found = [s for s in answer.get("services", []) if s.get("status") != "INACTIVE"]
    except ClientError:
        found, where = [], f"{where} (no cluster {ecs.cluster_name})"
    if not found:
        checks.append(
            Check(
                "ecs-service",
                Status.FAIL,
                f"ECS service {where} does not exist",
                "create the cluster and the service (deployment controller CODE_DEPLOY, behind the "
                "prod listener's load balancer) before `pulumi up`, or fix ecs.clusterName/serviceName",
                service.name,
            )
        )
    else:
        controller = found[0].get("deploymentController", {}).get("type", "ECS")
        if controller == "CODE_DEPLOY":
            checks.append(
                Check(
                    "ecs-service",
                    Status.OK,
                    f"{where} exists, deployment controller CODE_DEPLOY",
                    service=service.name,
                )
            )
        else:
            checks.append(
                Check(
                    "ecs-service",
                    Status.FAIL,
                    f"{where} has deployment controller {controller}, not CODE_DEPLOY",
                    ECS_GUIDE,
                    service.name,
                )
            )
    listeners = {"prod": ecs.prod_listener_arn}
    if ecs.test_listener_arn:
        listeners["test"] = ecs.test_listener_arn
    balancers: dict[str, str] = {}
    missing = []
    for role, arn in listeners.items():
        try:
            answer = context.call(
                "elbv2",
                "describe_listeners",
                f"check {service.name}'s {role} listener exists",
                ("ListenerNotFound",),
                ListenerArns=[arn],
            )
            balancers[role] = answer["Listeners"][0]["LoadBalancerArn"]
        except ClientError:
            missing.append(f"{role} {arn}")
    if missing:
        checks.append(
            Check(
                "ecs-listeners",
                Status.FAIL,
                f"listener(s) not found: {', '.join(missing)}",
                "create them on the service's load balancer, or fix ecs.prodListenerArn/"
                "testListenerArn (the seeded ARNs name the example account 123456789012)",
                service.name,
            )
        )
    else:
        checks.append(
            Check(
                "ecs-listeners",
                Status.OK,
                f"{' and '.join(listeners)} listener(s) exist",
                "",
                service.name,
            )
        )
    checks.append(_target_groups(context, service, balancers.get("prod", "")))
    return checks


def _target_groups(context: Context, service: ServiceSettings, balancer: str) -> Check:
    ecs = service.ecs
    assert ecs is not None
    try:
        answer = context.call(
            "elbv2",
            "describe_target_groups",
            f"check {service.name}'s blue and green target groups exist on the listener's load "
            "balancer",
            ("TargetGroupNotFound",),
            Names=list(ecs.target_groups),
        )
    except ClientError:
        return Check(
            "ecs-target-groups",
            Status.FAIL,
            f"target group(s) {', '.join(ecs.target_groups)} not all found",
            "create both target groups (type ip for Fargate) and attach them to the prod "
            "listener's load balancer (the listener forwards to blue; a rule or the test listener "
            "to green)",
            service.name,
        )
    groups = {group["TargetGroupName"]: group for group in answer.get("TargetGroups", [])}
    if not balancer:
        return Check(
            "ecs-target-groups",
            Status.SKIP,
            f"{', '.join(ecs.target_groups)} exist; their load balancer is unknown without the "
            "prod listener",
            "fix the prod listener first, then rerun",
            service.name,
        )
    elsewhere = [
        name
        for name in ecs.target_groups
        if balancer not in groups.get(name, {}).get("LoadBalancerArns", [])
    ]
    if elsewhere:
        return Check(
            "ecs-target-groups",
            Status.FAIL,
            f"{', '.join(elsewhere)} not attached to the prod listener's load balancer {balancer}",
            "attach both target groups to that load balancer (the prod listener forwards to blue, "
            "the test listener or a listener rule to green)",
            service.name,
        )
    return Check(
        "ecs-target-groups",
        Status.OK,
        f"{' and '.join(ecs.target_groups)} exist on the prod listener's load balancer",
        service=service.name,
    )


# Lambda -------------------------------------------------------------------------------------------


def _lambda(context: Context, service: ServiceSettings) -> list[Check]:
    function = service.lambda_
    assert function is not None
    try:
        context.call(
            "lambda",
            "get_function",
            f"check {service.name}'s Lambda function exists",
            ("ResourceNotFoundException",),
            FunctionName=function.function_name,
        )
    except ClientError:
        return [
            Check(
                "lambda",
                Status.FAIL,
                f"function {function.function_name} does not exist",
                f"create it, publish a version and point alias {function.alias_name} at it, or fix "
                "lambda.functionName",
                service.name,
            )
        ]
    try:
        alias = context.call(
            "lambda",
            "get_alias",
            f"check {service.name}'s alias points at a published version",
            ("ResourceNotFoundException",),
            FunctionName=function.function_name,
            Name=function.alias_name,
        )
    except ClientError:
        return [
            Check(
                "lambda",
                Status.FAIL,
                f"function {function.function_name} has no alias {function.alias_name}",
                f"publish a version and create the alias: `aws lambda publish-version "
                f"--function-name {function.function_name}`, then `aws lambda create-alias "
                f"--function-name {function.function_name} --name {function.alias_name} "
                "--function-version <version>`",
                service.name,
            )
        ]
    version = alias.get("FunctionVersion", "")
    where = f"{function.function_name}:{function.alias_name}"
    if version == "$LATEST":
        return [
            Check(
                "lambda",
                Status.FAIL,
                f"alias {where} points at $LATEST, not a published version",
                "CodeDeploy shifts an alias between published versions: publish a version and "
                f"point the alias at it (`aws lambda update-alias --function-name "
                f"{function.function_name} --name {function.alias_name} --function-version <n>`)",
                service.name,
            )
        ]
    return [
        Check("lambda", Status.OK, f"alias {where} points at version {version}", "", service.name)
    ]


# EC2 ----------------------------------------------------------------------------------------------


def _ec2(context: Context, service: ServiceSettings) -> list[Check]:
    checks = []
    for tag in service.ec2_tag_filters:
        instances = _running_instances(context, service.name, tag.key, tag.value)
        label = f"tag {tag.key}={tag.value}"
        if not instances:
            checks.append(
                Check(
                    "ec2-instances",
                    Status.FAIL,
                    f"no running instance has {label}",
                    f"tag the instances to deploy to with {label} (and start them), or fix "
                    "ec2TagFilters; they need the CodeDeploy agent and an instance profile that "
                    "reads the artifact bucket and decrypts with the artifact key",
                    service.name,
                )
            )
            continue
        ids = sorted(instances)
        checks.append(
            Check(
                "ec2-instances",
                Status.OK,
                f"{len(ids)} running instance(s) with {label}: {', '.join(ids)}",
                service=service.name,
            )
        )
        checks.append(_agent(context, service.name, ids))
    return checks


def _running_instances(context: Context, service: str, key: str, value: str) -> list[str]:
    found, token = [], None
    while True:
        params: dict[str, Any] = {
            "Filters": [
                {"Name": f"tag:{key}", "Values": [value]},
                {"Name": "instance-state-name", "Values": ["running"]},
            ]
        }
        if token:
            params["NextToken"] = token
        page = context.call(
            "ec2",
            "describe_instances",
            f"find {service}'s running instances by tag {key}={value}",
            **params,
        )
        for reservation in page.get("Reservations", []):
            found += [instance["InstanceId"] for instance in reservation.get("Instances", [])]
        token = page.get("NextToken")
        if not token:
            return found


def _agent(context: Context, service: str, ids: list[str]) -> Check:
    """Whether SSM can tell the CodeDeploy agent is installed on every instance."""
    answer = context.call(
        "ssm",
        "describe_instance_information",
        f"find which of {service}'s instances SSM manages (to look for the CodeDeploy agent)",
        Filters=[{"Key": "InstanceIds", "Values": ids}],
    )
    managed = {info["InstanceId"]: info for info in answer.get("InstanceInformationList", [])}
    unknown = [i for i in ids if i not in managed]
    without, installed = [], []
    for instance in ids:
        if instance not in managed:
            continue
        windows = managed[instance].get("PlatformType") == "Windows"
        name = WINDOWS_AGENT if windows else LINUX_AGENT
        inventory = context.call(
            "ssm",
            "list_inventory_entries",
            f"look for the CodeDeploy agent in {instance}'s software inventory",
            InstanceId=instance,
            TypeName="AWS:Application",
            Filters=[{"Key": "Name", "Values": [name], "Type": "Equal"}],
        )
        if inventory.get("Entries"):
            version = inventory["Entries"][0].get("Version", "")
            installed.append(f"{instance} ({version})" if version else instance)
        elif inventory.get("CaptureTime"):
            without.append(instance)
        else:
            unknown.append(instance)
    if without:
        return Check(
            "codedeploy-agent",
            Status.FAIL,
            f"SSM inventory shows no CodeDeploy agent on {', '.join(without)}",
            AGENT_GUIDE,
            service,
        )
    if unknown:
        return Check(
            "codedeploy-agent",
            Status.SKIP,
            f"SSM cannot tell whether the CodeDeploy agent runs on {', '.join(sorted(unknown))} "
            "(not managed by SSM, or no software inventory)",
            f"check on the instance (`sudo service codedeploy-agent status`) or {AGENT_GUIDE}; "
            "SSM inventory (State Manager, AWS-GatherSoftwareInventory) lets this check tell",
            service,
        )
    return Check(
        "codedeploy-agent",
        Status.OK,
        f"CodeDeploy agent installed on {', '.join(installed)}",
        service=service,
    )
