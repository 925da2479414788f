"""Guarded delivery pipelines for one stack (environment): `pulumi preview` / `pulumi up`.

Bad stack config stops the program before any resource is declared, with one line naming the key:
`load_settings` raises `ConfigError`, which is re-raised as `pulumi.RunError`. RunError is the SDK's own
"clean exit" signal: the Python language host logs its message as an error and exits non-zero without a
traceback, and under the mock runtime (tests, `python -m offline_preview`, which run this file with
runpy) it simply propagates as an exception callers can catch and print. `SystemExit` would instead
bypass the language host's error handling and leave the engine with a process that died mid-run.
"""

import pulumi
import pulumi_aws as aws

from components.config import ConfigError, load_settings
from components.config.placement import Placement, check_placement
from components.delivery_platform import DeliveryPlatform, DeliveryPlatformArgs
from components.shared.naming import PlatformNames


def main() -> None:
    try:
        settings = load_settings()
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None

    names = PlatformNames(
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        account_id=aws.get_caller_identity().account_id,
        region=aws.get_region().region,
        partition=aws.get_partition().partition,
    )
    # Checks that need the stack's partition, region and account, still before any resource.
    placement = Placement(names.partition, names.region, names.account_id)
    try:
        warnings = check_placement(settings, placement, pulumi.get_project())
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None
    for warning in warnings:
        pulumi.log.warn(warning)
    platform = DeliveryPlatform("delivery", DeliveryPlatformArgs(settings=settings, names=names))

    pulumi.export("artifactBucket", platform.artifact_store.bucket_name)
    pulumi.export("artifactKeyAlias", platform.artifact_store.key_alias_arn)
    pulumi.export("notificationTopicArn", platform.topic.topic_arn)
    if platform.release_signing.key_arn is not None:
        # A downstream stack in another account names this key as promoteFromSigningKeyArn.
        pulumi.export("releaseSigningKeyArn", platform.release_signing.key_arn)
    pulumi.export("dashboardName", platform.dashboard_name)
    pulumi.export("dashboardUrl", platform.dashboard_url)
    if platform.compliance is not None:
        pulumi.export("complianceRules", sorted(platform.compliance.rule_names))
    pulumi.export("defaultService", settings.default_service)
    pulumi.export(
        "services", {name: outputs.as_dict() for name, outputs in platform.service_outputs.items()}
    )
    for key, value in platform.service_outputs[settings.default_service].as_dict().items():
        pulumi.export(key, value)


main()
