"""CloudWatch Logs reads: the error-looking lines of one build's own log stream, with context.

CodeBuild writes one stream per build, named in the build's `logs.streamName`. The stream is read with
`get_log_events` from its end backwards (`--no-start-from-head`, then `--next-token` with each page's
`nextBackwardToken`, until AWS answers the token it was given: the head of the stream), bounded to
MAX_STREAM_PAGES pages, since the end of a build log is where its failure is. Error lines are matched
here rather than by a CloudWatch filter pattern, whose terms are case-sensitive (CloudWatch Logs User
Guide, "Filter pattern syntax"): `ERROR` finds neither `error TS2322`, `Error:`, `FAIL` nor `Traceback`.

Which lines are shown: a build that failed ended a phase with `Phase complete: <PHASE> State: FAILED`
(followed by its `Phase context status code: ...` line). The error-looking lines that explain the
failure are the last ones before that line, not the first ones of the log: passing tests often log
errors they recover from.
"""

import re
from dataclasses import dataclass

from troubleshoot.aws_calls import AwsReader
from troubleshoot.model import LogLine

MAX_SHOWN_ERRORS = 10
"""A tool's error lines shown: the last ones before the failed phase ended."""
CONTEXT_LINES = 2
"""Lines shown before and after each error line."""
PAGE_EVENTS = 10_000
"""One `get_log_events` page (the API's maximum, which a 1 MB page may cut shorter)."""
PAGE_BYTES = 1_048_576
"""A page holds as many events as fit in 1 MB (CloudWatch Logs API reference, GetLogEvents)."""
EVENT_OVERHEAD_BYTES = 26
"""What CloudWatch Logs counts per event besides its UTF-8 message (PutLogEvents quotas)."""
MAX_STREAM_PAGES = 5
"""Pages read backwards from the end of the stream before giving up on its head."""

# What build tools of the common ecosystems print when something fails, matched case-aware so that
# summaries such as `0 errors`, `error_count=0` or `Tests: 0 failed` are not errors.
ERROR_LINE = re.compile(
    "|".join(
        (
            r"\bERROR\b",  # log4j/logback/Python logging levels, `[ERROR]` of Maven, CodeBuild
            r"\bFATAL\b",
            r"\bCRITICAL\b",
            r"\bFAIL(?:ED|URE|URES)?\b",  # jest/go `FAIL`, pytest/rust/gradle `FAILED`, `FAILURE:`
            r"\b[A-Z]?[A-Za-z]*Error:",  # `Error:`, `TypeError:`, `ModuleNotFoundError:`
            r"(?:^|[\s:])error(?:\[\w+\])?:",  # gcc/clang/rustc/git/go `error:`, `error[E0308]:`
            r"\berror [A-Z]{2,}\d+",  # tsc `error TS2322`, dotnet `error CS1002`
            r"^\s*error\s",  # yarn `error Command failed with exit code 1.`
            r"\bERR!",  # npm `npm ERR!`
            r"^Traceback \(most recent call last\)",  # Python
            r"\b[\w.$]*Exception\b",  # Java/.NET/Python exception class names
            r"\bfatal:",  # git
            r"\bpanic:",  # Go
            r"\bmake(?:\[\d+\])?: \*\*\*",  # make
            r"Command did not exit successfully",  # CodeBuild
            r"Phase context status code: (?!\s|Message:)\S",  # CodeBuild, a non-empty status code
        )
    ),
    re.MULTILINE,
)
FAILED_PHASE_END = re.compile(r"Phase complete: (\w+) State: (?:FAILED|FAULT|TIMED_OUT|STOPPED)\b")
PHASE_CONTEXT = re.compile(r"Phase context status code:")
CODEBUILD_LINE = re.compile(
    r"^\[Container\] .*(?:Command did not exit successfully|Phase complete:|Phase context status)"
)
"""CodeBuild's own lines about a failed command and phase: they say that, not why."""
MAX_CODEBUILD_LINES = 3
CLUSTER_GAP = 30
"""Error lines further apart than this belong to different events (a recovered error, the failure)."""


@dataclass(frozen=True)
class ErrorLines:
    count: int
    """Error-looking lines in the lines read."""
    more: bool
    """More error lines exist than are shown."""
    shown: int
    excerpts: tuple[tuple[LogLine, ...], ...]
    lines_read: int = 0
    complete: bool = True
    """The whole stream was read (else only its last `lines_read` lines)."""


def is_error_line(message: str) -> bool:
    return bool(ERROR_LINE.search(message))


def build_error_lines(
    reader: AwsReader, group: str, stream: str, failed_phase: str = ""
) -> ErrorLines:
    messages, complete = _read_stream(reader, group, stream)
    errors = [index for index, message in enumerate(messages) if is_error_line(message)]
    shown = _explaining(messages, errors, failed_phase)
    return ErrorLines(
        count=len(errors),
        more=len(errors) > len(shown) or not complete,
        shown=len(shown),
        excerpts=_excerpts(messages, shown),
        lines_read=len(messages),
        complete=complete,
    )


def _read_stream(reader: AwsReader, group: str, stream: str) -> tuple[list[str], bool]:
    """The stream's last lines, oldest first, and whether they are all of it."""
    pages: list[list[str]] = []
    token: str | None = None
    for _ in range(MAX_STREAM_PAGES):
        page = {"nextToken": token} if token else {"startFromHead": False}
        response = reader.call(
            "logs",
            "get_log_events",
            "read the build's own log stream, from its end",
            logGroupName=group,
            logStreamName=stream,
            **page,
            limit=PAGE_EVENTS,
        )
        events = response.get("events", [])
        pages.append([_text(event.get("message", "")) for event in events])
        next_token = response.get("nextBackwardToken")
        if not events or not next_token or next_token == token or _short(events):
            return [line for lines in reversed(pages) for line in lines], True
        token = next_token
    return [line for lines in reversed(pages) for line in lines], False


def _short(events: list[dict]) -> bool:
    """A page that neither limit cut: nothing older is left (which saves asking for it)."""
    size = sum(len(event.get("message", "").encode()) + EVENT_OVERHEAD_BYTES for event in events)
    return len(events) < PAGE_EVENTS and size < PAGE_BYTES // 2


def _explaining(messages: list[str], errors: list[int], failed_phase: str) -> list[int]:
    """The error lines that explain the failure: the last group of a tool's error lines before the
    failed phase ended (the end of the log when no such line was read), lines at most CLUSTER_GAP
    apart, and CodeBuild's own lines for the failed command and phase."""
    end = len(messages)
    ends = [
        index
        for index, message in enumerate(messages)
        if (match := FAILED_PHASE_END.search(message))
        and (not failed_phase or match.group(1) == failed_phase)
    ]
    if ends:
        end = ends[-1] + 1
        while end < len(messages) and PHASE_CONTEXT.search(messages[end]):
            end += 1
    before = [index for index in errors if index < end] or errors
    codebuild = [index for index in before if CODEBUILD_LINE.search(messages[index])]
    tools = [index for index in before if index not in set(codebuild)]
    group: list[int] = []
    for index in reversed(tools):
        if len(group) == MAX_SHOWN_ERRORS or (group and group[0] - index > CLUSTER_GAP):
            break
        group.insert(0, index)
    return sorted(group + codebuild[-MAX_CODEBUILD_LINES:])


def _excerpts(messages: list[str], hits: list[int]) -> tuple[tuple[LogLine, ...], ...]:
    """Each shown error line with CONTEXT_LINES either side; overlapping windows become one excerpt.
    Every error-looking line inside a window is marked, shown or not."""
    windows: list[list[int]] = []
    for index in hits:
        start, end = max(0, index - CONTEXT_LINES), min(len(messages), index + CONTEXT_LINES + 1)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    return tuple(
        tuple(LogLine(messages[i], is_error_line(messages[i])) for i in range(start, end))
        for start, end in windows
    )


def _text(message: str) -> str:
    return message.rstrip("\n")
