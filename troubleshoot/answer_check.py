"""Refuse an HTTP answer that did not come from AWS before botocore parses it.

A proxy's login page, a captive portal or a load balancer's 502 page arrive as HTML. botocore's JSON
parser reads an unparseable 200 body as an empty answer (so "no executions" would be reported as
fact), and its XML parser fails with the page quoted raw. AWS's JSON protocols answer
`application/x-amz-json-1.x` JSON bodies and its query/REST-XML protocols XML bodies (botocore's
`parsers.py`); an HTML page is neither.
"""

import re
from collections.abc import Mapping
from typing import Any

from components.release.steps.step_io import safe
from troubleshoot.errors import TroubleshootError

HTML_STARTS = ("<!doctype html", "<html", "<head", "<body", "<title", "<h1", "<p>", "<div", "<meta")
"""How proxies' and load balancers' pages begin; AWS's XML answers begin with `<?xml` or `<Name`."""
JSON_PROTOCOLS = frozenset({"json", "rest-json"})
XML_PROTOCOLS = frozenset({"query", "rest-xml", "ec2"})
SNIPPET_CHARACTERS = 80
_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class NotAnAwsAnswer(TroubleshootError):
    """The endpoint answered, but not as AWS does."""


def register(client: Any) -> None:
    """Check every answer `client` receives (botocore's `before-parse` event)."""
    endpoint = client.meta.endpoint_url

    def check(operation_model: Any, response_dict: Mapping[str, Any], **_: Any) -> None:
        problem = answer_problem(
            operation_model.service_model.resolved_protocol,
            response_dict.get("headers", {}),
            response_dict.get("body"),
        )
        if problem:
            service = operation_model.service_model.endpoint_prefix
            raise NotAnAwsAnswer(
                f"{endpoint} answered {service} {operation_model.name} with HTTP "
                f"{response_dict.get('status_code')} and {problem}, not an AWS answer: a proxy or "
                "captive portal may be in the way; check HTTPS_PROXY/NO_PROXY and AWS_ENDPOINT_URL"
            )

    client.meta.events.register("before-parse", check)


def answer_problem(protocol: str, headers: Mapping[str, str], body: object) -> str:
    """What the answer is when it is not AWS's ("an HTML page 'Sign in'"), else ""."""
    if not isinstance(body, bytes) or not body.strip():
        return ""  # a streamed body is the caller's; an empty one botocore judges by status
    text = body[:4096].decode("utf-8", "replace")
    head = text.lstrip().lower()
    content_type = str(_header(headers, "content-type")).lower()
    # moto and some gateways label JSON as text/html: the body decides, the label only backs it.
    looks_like_data = head.startswith(("{", "[")) or (
        head.startswith("<") and not head.startswith(HTML_STARTS)
    )
    if head.startswith(HTML_STARTS) or ("html" in content_type and not looks_like_data):
        return f"an HTML page '{_snippet(text)}'"
    if protocol in JSON_PROTOCOLS and not head.startswith(("{", "[")):
        return f"a body that is not JSON '{_snippet(text)}'"
    if protocol in XML_PROTOCOLS and not head.startswith("<"):
        return f"a body that is not XML '{_snippet(text)}'"
    return ""


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _snippet(text: str) -> str:
    title = _TITLE.search(text)
    words = " ".join(safe(_TAG.sub(" ", title.group(1) if title else text)).split())
    return words[:SNIPPET_CHARACTERS]
