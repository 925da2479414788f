"""The service image: taken by digest from `imageDetail.json`, found in ECR, and its scan result.

A tag can be moved to other bytes (unless immutable, and even then only per repository), a digest
cannot: the release names its image by digest and the deploy must read exactly that reference.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .pipeline_artifacts import ArtifactError

IMAGE_DETAIL_FILE = "imageDetail.json"
SCAN_DONE = frozenset({"COMPLETE", "ACTIVE"})
SCAN_PENDING = frozenset({"IN_PROGRESS", "PENDING"})
_BY_DIGEST = re.compile(r"^(?P<repository>[^@\s]+)@(?P<digest>sha256:[0-9a-f]{64})$")


class ImageRefused(ValueError):
    """The image cannot be released or deployed as it is (one line saying why)."""


@dataclass(frozen=True)
class ImageReference:
    """An `ImageURI`: `<registry>/<repository>@sha256:<hex>`, or a tag reference (digest None)."""

    uri: str
    repository_uri: str
    digest: str | None

    @property
    def repository_name(self) -> str:
        return self.repository_uri.partition("/")[2]

    @property
    def registry_id(self) -> str:
        """The account id of an ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`)."""
        return self.repository_uri.partition("/")[0].partition(".")[0]

    def require_digest(self) -> str:
        if self.digest is None:
            raise ImageRefused(
                f"image referenced by tag {self.uri}: the deploy must take it by digest"
            )
        return self.digest

    def require_repository(self, repository: str) -> None:
        if self.repository_name != repository:
            raise ImageRefused(f"image {self.uri} is not in ECR repository {repository}")


def parse_image_uri(uri: str) -> ImageReference:
    match = _BY_DIGEST.match(uri)
    if match:
        return ImageReference(uri, match["repository"], match["digest"])
    repository = uri.rsplit(":", 1)[0] if ":" in uri.rpartition("/")[2] else uri
    return ImageReference(uri, repository.split("@", 1)[0], None)


def read_image_detail(data: bytes | None, artifact: str) -> ImageReference:
    """The image reference of an `imageDetail.json` (as the image step writes it)."""
    if data is None:
        raise ArtifactError(f"artifact {artifact} has no {IMAGE_DETAIL_FILE}")
    try:
        detail = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtifactError(f"{artifact}/{IMAGE_DETAIL_FILE} is not valid JSON: {error}") from error
    uri = detail.get("ImageURI") if isinstance(detail, dict) else None
    if not isinstance(uri, str) or not uri.strip():
        raise ArtifactError(f"{artifact}/{IMAGE_DETAIL_FILE} has no ImageURI")
    return parse_image_uri(uri.strip())


def find_image(
    ecr: Any, repository: str, digest: str, registry_id: str | None = None
) -> dict[str, Any] | None:
    """ECR's `imageDetails` entry of the digest in the repository (of another account's registry
    when `registry_id` is given), None when not there."""
    where = {"registryId": registry_id} if registry_id else {}
    try:
        answer = ecr.describe_images(
            repositoryName=repository, imageIds=[{"imageDigest": digest}], **where
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ImageNotFoundException":
            return None
        raise
    for detail in answer.get("imageDetails") or []:
        if detail.get("imageDigest") == digest:
            return detail
    return None


def require_image(ecr: Any, repository: str, digest: str, tag: str | None = None) -> dict[str, Any]:
    """The image's details; refuses one missing from the repository or without `tag`."""
    detail = find_image(ecr, repository, digest)
    if detail is None:
        raise ImageRefused(f"image {digest} not found in ECR repository {repository}")
    tags = detail.get("imageTags") or []
    if tag is not None and tag not in tags:
        shown = ", ".join(tags) or "none"
        raise ImageRefused(f"image {digest} in {repository} is not tagged {tag} (tags: {shown})")
    return detail


def wait_for_scan(
    ecr: Any,
    repository: str,
    digest: str,
    timeout: float,
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """ECR's `imageScanFindings` once the scan on push is done (polls until `timeout` seconds)."""
    deadline = clock() + timeout
    while True:
        status, findings = _scan_state(ecr, repository, digest)
        if status["status"] in SCAN_DONE:
            return findings
        if status["status"] not in SCAN_PENDING:
            reason = status.get("description") or "no description"
            raise ImageRefused(f"image scan of {digest} ended {status['status']}: {reason}")
        remaining = deadline - clock()
        if remaining <= 0:
            raise ImageRefused(
                f"image scan of {digest} not complete after {timeout:g} s ({status['status']})"
            )
        sleep(min(interval, remaining))


def _scan_state(ecr: Any, repository: str, digest: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        answer = ecr.describe_image_scan_findings(
            repositoryName=repository, imageId={"imageDigest": digest}
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ScanNotFoundException":
            return {"status": "PENDING"}, {}  # scan on push not started yet
        raise
    status = answer.get("imageScanStatus") or {"status": "PENDING"}
    return status, answer.get("imageScanFindings") or {}
