"""CloudWatch reads: the state of a deployment group's alarms, or of a Lambda deploy action's.

`describe_alarms --alarm-names ...` answers each alarm's StateValue (OK, ALARM, INSUFFICIENT_DATA),
StateReason and StateUpdatedTimestamp (botocore's CloudWatch model, MetricAlarms[]). All named alarms are
read and the ALARM ones picked here, so the report also shows the ones that did not fire.
"""

from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import AlarmState

MAX_ALARM_NAMES = 100
"""DescribeAlarms accepts at most 100 names (CloudWatch API reference)."""


def alarm_states(reader: AwsReader, names: tuple[str, ...], purpose: str) -> tuple[AlarmState, ...]:
    """The state of each named alarm, in the order given (MISSING for one that does not exist)."""
    if not names:
        return ()
    response = reader.call(
        "cloudwatch",
        "describe_alarms",
        purpose,
        AlarmNames=list(names[:MAX_ALARM_NAMES]),
    )
    found = {
        alarm["AlarmName"]: AlarmState(
            name=alarm["AlarmName"],
            state=alarm.get("StateValue", ""),
            reason=alarm.get("StateReason", ""),
            updated=alarm.get("StateUpdatedTimestamp"),
        )
        for alarm in response.get("MetricAlarms", []) + response.get("CompositeAlarms", [])
    }
    return tuple(found.get(name, AlarmState(name=name, state="MISSING")) for name in names)
