"""CloudWatch Logs reads: the ERROR lines of one build's own log stream, with context.

`filter_log_events --log-stream-names <the build's stream> --filter-pattern ERROR` narrows the seed's
log-group-wide search to this build (CodeBuild writes one stream per build, named in the build's
`logs.streamName`). The filter pattern `ERROR` matches events containing the term ERROR, case-sensitive
(CloudWatch Logs User Guide, "Filter pattern syntax"). The context comes from `get_log_events` on the
same stream, read from its head.
"""

from dataclasses import dataclass

from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import LogLine

ERROR_PATTERN = "ERROR"
MAX_ERROR_LINES = 20
CONTEXT_LINES = 2
"""Lines shown before and after each ERROR line."""
MAX_FILTER_PAGES = 5
"""filter_log_events may answer an empty page with a nextToken while matches remain (CloudWatch Logs API
reference, FilterLogEvents), so a few pages are read before giving up."""
MAX_STREAM_EVENTS = 10_000
"""One `get_log_events` page (the API's maximum); a longer log shows ERROR lines past it bare."""


@dataclass(frozen=True)
class ErrorLines:
    count: int
    more: bool
    excerpts: tuple[tuple[LogLine, ...], ...]


def build_error_lines(reader: AwsReader, group: str, stream: str) -> ErrorLines:
    errors: list[dict] = []
    token: str | None = None
    for _ in range(MAX_FILTER_PAGES):
        page = {"nextToken": token} if token else {}
        response = reader.call(
            "logs",
            "filter_log_events",
            "find the ERROR lines of this build's own log stream",
            logGroupName=group,
            logStreamNames=[stream],
            filterPattern=ERROR_PATTERN,
            limit=MAX_ERROR_LINES - len(errors),
            **page,
        )
        errors += response.get("events", [])
        token = response.get("nextToken")
        if not token or len(errors) >= MAX_ERROR_LINES:
            break
    if not errors:
        return ErrorLines(0, bool(token), ())
    stream_events = reader.call(
        "logs",
        "get_log_events",
        "read the lines around them",
        logGroupName=group,
        logStreamName=stream,
        startFromHead=True,
        limit=MAX_STREAM_EVENTS,
    ).get("events", [])
    excerpts = _excerpts(stream_events, errors)
    return ErrorLines(len(errors), bool(token), excerpts)


def _excerpts(stream: list[dict], errors: list[dict]) -> tuple[tuple[LogLine, ...], ...]:
    """Each ERROR event with CONTEXT_LINES either side; overlapping windows become one excerpt."""
    wanted = {(event["timestamp"], event["message"]) for event in errors}
    hits = [i for i, event in enumerate(stream) if (event["timestamp"], event["message"]) in wanted]
    if not hits:  # the ERROR lines lie past the page read: show them without context
        return tuple((LogLine(_text(event["message"]), True),) for event in errors)
    windows: list[list[int]] = []
    for index in hits:
        start, end = max(0, index - CONTEXT_LINES), min(len(stream), index + CONTEXT_LINES + 1)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    hit_set = set(hits)
    return tuple(
        tuple(LogLine(_text(stream[i]["message"]), i in hit_set) for i in range(start, end))
        for start, end in windows
    )


def _text(message: str) -> str:
    return message.rstrip("\n")
