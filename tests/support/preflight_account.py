"""An account for `bin/preflight`'s tests: what a stack's services deploy to, in moto, healthy or not.

moto holds the EC2 instances, the ECS cluster and service, the load balancer, its listeners and
target groups, the Lambda function and alias, IAM, S3, KMS, CodeBuild, CodePipeline, ECR, EventBridge
and AWS Config. What moto cannot hold is queued on botocore's Stubber: CodeCommit's
`list_repositories`, CodeConnections' `get_connection`, SSM's instance information and inventory.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from preflight.aws_clients import SERVICES, PreflightClients
from tests.support.aws_test_account import REGION, AwsTestAccount

ACCOUNT = "123456789012"
PROJECT = "guarded-delivery"
CONNECTION_ARN = (
    f"arn:aws:codeconnections:us-east-1:{ACCOUNT}:connection/8d1f7c5e-3b2a-4f6e-9a1d-0c2b4e6f8a10"
)
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def preflight_clients(aws: AwsTestAccount, region: str) -> PreflightClients:
    assert region == REGION, f"the command asked for region {region}"
    return PreflightClients(region, {name: aws.client(name) for name in SERVICES})


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


@dataclass
class PreflightAccount:
    """Builds what one stack's services need, and answers what moto cannot."""

    aws: AwsTestAccount
    project: Path

    # What the services deploy to ------------------------------------------------------------------

    def instances(self, tag_value: str, count: int = 1) -> list[str]:
        ec2 = self.aws.client("ec2")
        image = ec2.describe_images()["Images"][0]["ImageId"]
        answer = ec2.run_instances(
            ImageId=image,
            MinCount=count,
            MaxCount=count,
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": tag_value}]}
            ],
        )
        return [instance["InstanceId"] for instance in answer["Instances"]]

    def ecs(self, stack: str, controller: str = "CODE_DEPLOY", test_listener: bool = False) -> None:
        """Cluster, service, ALB with blue (prod listener) and green (a rule, or the test listener)
        target groups; the stack file's listener ARNs are rewritten to moto's."""
        ec2, elbv2 = self.aws.client("ec2"), self.aws.client("elbv2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)[
                "Subnet"
            ]["SubnetId"]
            for i, zone in enumerate(("us-east-1a", "us-east-1b"))
        ]
        balancer = elbv2.create_load_balancer(Name=f"{stack}-alb", Subnets=subnets)[
            "LoadBalancers"
        ][0]["LoadBalancerArn"]
        groups = [
            elbv2.create_target_group(
                Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip"
            )["TargetGroups"][0]["TargetGroupArn"]
            for name in ("api-blue", "api-green")
        ]

        def listener(port: int, group: str) -> str:
            return elbv2.create_listener(
                LoadBalancerArn=balancer,
                Protocol="HTTP",
                Port=port,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
            )["Listeners"][0]["ListenerArn"]

        prod = listener(80, groups[0])
        test = listener(8080, groups[1]) if test_listener else None
        if not test_listener:
            elbv2.create_rule(
                ListenerArn=prod,
                Priority=1,
                Conditions=[{"Field": "path-pattern", "Values": ["/green/*"]}],
                Actions=[{"Type": "forward", "TargetGroupArn": groups[1]}],
            )
        ecs = self.aws.client("ecs")
        ecs.create_cluster(clusterName=f"{stack}-cluster")
        ecs.register_task_definition(
            family="api",
            containerDefinitions=[{"name": "api", "image": "nginx", "memory": 128}],
        )
        ecs.create_service(
            cluster=f"{stack}-cluster",
            serviceName="api",
            taskDefinition="api",
            desiredCount=1,
            deploymentController={"type": controller},
        )
        self.set_ecs(stack, prodListenerArn=prod, **({"testListenerArn": test} if test else {}))

    def lambda_function(self, stack: str, alias_version: str | None = "1") -> None:
        """`<stack>-worker` with a published version and alias `live` on `alias_version`."""
        role = self.aws.client("iam").create_role(
            RoleName=f"{stack}-worker-role", AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
        client = self.aws.client("lambda")
        client.create_function(
            FunctionName=f"{stack}-worker",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": _zip()},
        )
        client.publish_version(FunctionName=f"{stack}-worker")
        if alias_version:
            client.create_alias(
                FunctionName=f"{stack}-worker", Name="live", FunctionVersion=alias_version
            )

    def recorder(self, recording: bool = True) -> None:
        config = self.aws.client("config")
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
                "recordingGroup": {"allSupported": True},
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config"})
        if recording:
            config.start_configuration_recorder(ConfigurationRecorderName="default")

    # What moto cannot hold ------------------------------------------------------------------------

    def codecommit(self, closed: bool = False) -> None:
        stubber = self.aws.stub("codecommit")
        if closed:
            stubber.add_client_error(
                "list_repositories",
                service_error_code="OperationNotAllowedException",
                service_message="CodeCommit is not available to new customers.",
            )
        else:
            stubber.add_response("list_repositories", {"repositories": []})

    def connection(self, status: str = "AVAILABLE") -> None:
        self.aws.stub("codeconnections").add_response(
            "get_connection",
            {
                "Connection": {
                    "ConnectionName": "github-my-org",
                    "ConnectionArn": CONNECTION_ARN,
                    "ProviderType": "GitHub",
                    "OwnerAccountId": ACCOUNT,
                    "ConnectionStatus": status,
                }
            },
            {"ConnectionArn": CONNECTION_ARN},
        )

    def ssm_agent(self, instances: list[str], agent: bool | None = True) -> None:
        """SSM manages `instances`; their inventory has the agent (True), lacks it (False), or
        there is no inventory (None). `agent="unmanaged"`: SSM knows none of them."""
        stubber = self.aws.stub("ssm")
        stubber.add_response(
            "describe_instance_information",
            {
                "InstanceInformationList": [
                    {"InstanceId": i, "PingStatus": "Online", "PlatformType": "Linux"}
                    for i in instances
                ]
            },
        )
        for instance in instances:
            answer: dict = {"InstanceId": instance, "TypeName": "AWS:Application", "Entries": []}
            if agent is not None:
                answer["CaptureTime"] = "2026-12-01T18:00:00Z"
            if agent:
                answer["Entries"] = [{"Name": "codedeploy-agent", "Version": "1.7.1"}]
            stubber.add_response("list_inventory_entries", answer)

    def ssm_unmanaged(self) -> None:
        self.aws.stub("ssm").add_response(
            "describe_instance_information", {"InstanceInformationList": []}
        )

    # The stack file -------------------------------------------------------------------------------

    def set_ecs(self, stack: str, **values: str) -> None:
        self._edit(
            stack, lambda service: service["ecs"].update(values) if "ecs" in service else None
        )

    def _edit(self, stack: str, change) -> None:
        path = self.project / f"Pulumi.{stack}.yaml"
        document = yaml.safe_load(path.read_text())
        for service in document["config"][f"{PROJECT}:services"]:
            change(service)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def healthy_dev(self) -> list[str]:
        """Everything dev's three services need (web Server, api ECS via a connection, worker
        Lambda), with the stubs queued in the order the command reads."""
        instances = self.instances("MyDemoInstance")
        self.ecs("dev")
        self.lambda_function("dev")
        self.codecommit()
        self.connection()
        self.ssm_agent(instances)
        return instances
