"""The AWS_* environment variables botocore reads, checked before any client is made.

botocore converts several of them only when a client is created or a call is made, and a bad value
then ends as a bare `ValueError: invalid literal for int()` or `Invalid endpoint: ...` that names no
variable. The variables and the values botocore accepts are those of botocore's
`configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES` (with `int` conversions for the attempts and
timeouts), `utils.is_valid_endpoint_url` for endpoints (as `botocore.endpoint` refuses them), and the
AWS SDKs and Tools Reference Guide's "Environment variables" page
(https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html).
"""

from collections.abc import Callable, Mapping

from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

from offline_preview.aws_regions import region_problem

ENDPOINT_PREFIX = "AWS_ENDPOINT_URL"
"""AWS_ENDPOINT_URL, and AWS_ENDPOINT_URL_<SERVICE> for one service (service-specific endpoints)."""


def _whole_number(text: str) -> bool:
    return text.strip().isdigit() and int(text) > 0


def _one_of(*choices: str) -> Callable[[str], bool]:
    return lambda text: text.strip().lower() in choices


CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "AWS_MAX_ATTEMPTS": (_whole_number, "a whole number of attempts such as 3"),
    "AWS_RETRY_MODE": (_one_of("legacy", "standard", "adaptive"), "legacy, standard or adaptive"),
    "AWS_METADATA_SERVICE_TIMEOUT": (_whole_number, "a whole number of seconds such as 1"),
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS": (_whole_number, "a whole number of attempts such as 1"),
    "AWS_STS_REGIONAL_ENDPOINTS": (_one_of("legacy", "regional"), "legacy or regional"),
    "AWS_DEFAULTS_MODE": (
        _one_of("legacy", "standard", "in-region", "cross-region", "mobile", "auto"),
        "standard, in-region, cross-region, mobile, auto or legacy",
    ),
    "AWS_REQUEST_CHECKSUM_CALCULATION": (
        _one_of("when_supported", "when_required"),
        "when_supported or when_required",
    ),
    "AWS_RESPONSE_CHECKSUM_VALIDATION": (
        _one_of("when_supported", "when_required"),
        "when_supported or when_required",
    ),
}
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def environment_problem(environ: Mapping[str, str]) -> str:
    """Why one AWS_* variable of `environ` cannot work, naming it and the fix; "" when none."""
    for name, (valid, expected) in CHECKS.items():
        value = environ.get(name)
        if value is not None and not valid(value):
            return f"environment variable {name}={value!r} is invalid: set it to {expected}, or unset it"
    for name in REGION_VARIABLES:
        value = environ.get(name)
        if value and region_problem(value):
            return (
                f"environment variable {name}={value!r} is not an AWS region: set it to one such "
                "as us-east-1, or unset it"
            )
    for name in sorted(environ):
        value = environ[name]
        if name.startswith(ENDPOINT_PREFIX) and value and not _endpoint(value):
            return (
                f"environment variable {name}={value!r} is not an endpoint URL: set it to one "
                "such as https://proxy.example.com:8443, or unset it"
            )
    return ""


def _endpoint(value: str) -> bool:
    """What botocore accepts (scheme and host), and a scheme it can speak."""
    valid = is_valid_endpoint_url(value) or is_valid_ipv6_endpoint_url(value)
    return bool(valid) and value.lower().startswith(("http://", "https://"))
