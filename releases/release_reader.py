"""From a service's pipeline to what it runs: the deployed execution, its release and its approval.

The deployed execution's action executions (`list_action_executions`) name the release artifact
(`ReleaseOutput`: written by the Sign action of a stack that builds, by the Source action of a stack
that promotes), the Build action's build id and the approval. The release is read and judged with
the step package's own functions (`components/release/steps`): a release built here must carry a
manifest signed by this stack's key and made for this execution; a promoted one must carry the
upstream's deployment record, signed by the upstream's key, vouching for this very manifest, service
and stack.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from components.release.steps.deployment_record import (
    RECORD_FILE,
    RECORD_SIGNATURE_FILE,
    UPSTREAM_FOLDER,
    read_records,
    verify_record,
)
from components.release.steps.pipeline_artifacts import (
    ArtifactError,
    ExecutionArtifacts,
    action_executions,
    find_execution_artifacts,
)
from components.release.steps.promotion import check_record
from components.release.steps.release_artifact import (
    MANIFEST_FILE,
    SIGNATURE_FILE,
    CheckedRelease,
    check_manifest_signature,
    identity_problems,
    parse_manifest,
    read_release_files,
)
from components.release.steps.sign import DEFAULT_BUILD_ACTION
from components.release.steps.signature import EnvelopeError, SignatureEnvelope
from components.release.steps.step_io import StepError
from components.stages.stage_args import RELEASE_OUTPUT
from releases.aws_clients import AnsweredPipeline, Read, RecordedClient
from releases.executions import PipelineMissing, latest_succeeded
from releases.model import (
    Approval,
    DeployedRelease,
    ExecutionSearch,
    ReleaseObject,
    SignatureCheck,
    Verdict,
)
from releases.stacks import StackToRead, TrustedKey
from troubleshoot.aws_calls import AwsReader
from troubleshoot.cli_commands import CliSpelling
from troubleshoot.errors import TroubleshootError

APPROVAL_CATEGORY = "Approval"
NO_SUCH_KEY = "NoSuchKey"
KEY_UNUSABLE = ("NotFoundException", "DisabledException", "KMSInvalidStateException")
"""KMS answers meaning the trusted key cannot verify anything: the release does not verify."""
INVALID_SIGNATURE = "KMSInvalidSignatureException"
NEVER = datetime.min.replace(tzinfo=UTC)


def read_deployed(stack: StackToRead, service: str, limit: int) -> DeployedRelease:
    """What `service` of `stack` runs now and whether its signature holds."""
    target = stack.target(service)
    release = DeployedRelease(
        target,
        Verdict.NOTHING_DEPLOYED,
        promoted_from=stack.upstream.stack if stack.upstream else "",
    )
    reader, pipeline = stack.reader, target.pipeline_name
    try:
        found = latest_succeeded(reader, pipeline, limit)
    except PipelineMissing as missing:
        release.problems.append(
            f"nothing deployed: no pipeline {pipeline} in account {stack.names.account_id}, "
            f"{target.region} (is stack {stack.stack} deployed here?): {missing}"
        )
        return release
    release.search = found.search
    if found.execution is None:
        release.problems.append(_nothing_found(found.search))
        return release
    execution = release.execution = found.execution
    execution_id = execution.rollback_of or execution.execution_id
    if execution.rollback_of:
        release.notes.append(
            f"execution {execution.execution_id} is a rollback to execution "
            f"{execution.rollback_of}: that execution's release is what runs"
        )
    try:
        details = list(action_executions(_pipeline_client(reader), pipeline, execution_id))
    except StepError as error:
        raise TroubleshootError(str(error)) from None
    artifacts = find_execution_artifacts(AnsweredPipeline(details), pipeline, execution_id)
    release.build_id = artifacts.external_ids.get(DEFAULT_BUILD_ACTION, "")
    release.approval = _approval(details)
    if release.approval is None and stack.config.settings.manual_approval:
        release.notes.append(
            f"the stack asks for a manual approval (manualApproval) but execution {execution_id} "
            "recorded none"
        )
    checked = _release_files(reader, artifacts, release)
    if checked is None or checked.manifest_bytes is None:
        release.verdict = Verdict.NO_MANIFEST
        return release
    release.manifest_sha256 = checked.manifest_sha256 or ""
    if stack.upstream is None:
        _judge_built_here(stack, release, checked, execution_id)
    else:
        _judge_promoted(stack, release, checked)
    release.verdict = Verdict.NOT_VERIFIED if release.problems else Verdict.VERIFIED
    return release


def _nothing_found(search: ExecutionSearch) -> str:
    if search.looked_at == 0:
        return "nothing deployed: the pipeline has no executions"
    if search.complete:
        return (
            f"nothing deployed: none of the pipeline's {search.looked_at} execution(s) "
            "succeeded (all of them were read)"
        )
    return (
        f"nothing deployed: no Succeeded execution among the newest {search.looked_at} "
        "(older ones were not read; pass --max-executions N to look further)"
    )


def _pipeline_client(reader: AwsReader) -> RecordedClient:
    read = Read("list the deployed execution's actions (release artifact, build, approval)")
    return RecordedClient(reader, "codepipeline", {"list_action_executions": read})


def _approval(details: list[dict[str, Any]]) -> Approval | None:
    """The newest approval action of the execution (a retried stage runs it again)."""
    runs = [
        detail
        for detail in details
        if detail.get("input", {}).get("actionTypeId", {}).get("category") == APPROVAL_CATEGORY
    ]
    if not runs:
        return None
    newest = max(
        runs,
        key=lambda detail: detail.get("lastUpdateTime") or detail.get("startTime") or NEVER,
    )
    result = (newest.get("output") or {}).get("executionResult") or {}
    return Approval(
        stage=newest.get("stageName", ""),
        action=newest.get("actionName", ""),
        status=newest.get("status", ""),
        approved_by=newest.get("updatedBy", ""),
        at=newest.get("lastUpdateTime"),
        summary=result.get("externalExecutionSummary", ""),
    )


def _release_files(
    reader: AwsReader, artifacts: ExecutionArtifacts, release: DeployedRelease
) -> CheckedRelease | None:
    """The release artifact's manifest and signature (problems say why there are none)."""
    read = Read(
        "read the release artifact (manifest, signature, deployment record)",
        handled_errors=(NO_SUCH_KEY,),
        cli=CliSpelling(outfile=f"{RELEASE_OUTPUT}.zip"),
    )
    s3 = RecordedClient(reader, "s3", {"get_object": read})
    try:
        checked = read_release_files(s3, artifacts, RELEASE_OUTPUT)
    except ClientError:  # NoSuchKey: the object CodePipeline recorded is gone (lifecycle, deleted)
        location = artifacts.location(RELEASE_OUTPUT)
        assert location is not None  # only an object that was named can be missing
        release.problems.append(
            f"no manifest: the release artifact s3://{location.bucket}/{location.key} no longer "
            "exists (NoSuchKey)"
        )
        return None
    if checked.manifest_bytes is None:
        release.problems += checked.problems
    if checked.release is not None:
        location = checked.release.location
        release.release_object = ReleaseObject(
            location.name,
            location.bucket,
            location.key,
            checked.release.version_id,
            checked.release.sha256,
        )
    return checked


def _kms_client(reader: AwsReader, signed_file: str, signature_file: str) -> RecordedClient:
    stem = signed_file.removesuffix(".json")
    verify = Read(
        f"verify the signature of {signed_file} with the trusted key ({stem}.sha256: "
        f"`openssl dgst -sha256 -binary {signed_file}`; {stem}.sig: "
        f"`jq -r .signature {signature_file} | base64 -d`)",
        handled_errors=(INVALID_SIGNATURE, *KEY_UNUSABLE),
        cli=CliSpelling(files={"Message": f"{stem}.sha256", "Signature": f"{stem}.sig"}),
    )
    describe = Read("find the key ARN the trusted key id names", handled_errors=KEY_UNUSABLE)
    return RecordedClient(reader, "kms", {"describe_key": describe, "verify": verify})


def _judge_built_here(
    stack: StackToRead, release: DeployedRelease, checked: CheckedRelease, execution_id: str
) -> None:
    """A release built here: this stack's key signed this execution's manifest."""
    key = stack.trusted_key
    kms = _kms_client(stack.reader, MANIFEST_FILE, SIGNATURE_FILE)

    def manifest_signature() -> list[str]:
        probe = CheckedRelease(
            manifest_bytes=checked.manifest_bytes,
            signature_bytes=checked.signature_bytes,
            release=checked.release,
        )
        check_manifest_signature(kms, probe, key.key_id)
        return probe.problems

    signature_problems = _kms_checked(manifest_signature, key)
    release.problems += signature_problems
    release.signature = _signature(
        MANIFEST_FILE, key, checked.signature_bytes, SIGNATURE_FILE, not signature_problems
    )
    parse_manifest(checked)
    release.problems += checked.problems
    manifest = release.manifest = checked.manifest
    if manifest is None:
        return
    execution = release.execution
    commit = execution.source_revision if execution and execution.source_revision else None
    release.problems += identity_problems(
        manifest, release.target.pipeline_name, execution_id, commit
    )
    if release.build_id and manifest.build_id != release.build_id:
        release.problems.append(
            f"the manifest names build {manifest.build_id}, the execution's "
            f"{DEFAULT_BUILD_ACTION} action ran build {release.build_id}"
        )


def _judge_promoted(stack: StackToRead, release: DeployedRelease, checked: CheckedRelease) -> None:
    """A promoted release: the upstream's key signed its record of deploying this very manifest,
    published for this stack (the verify step's own checks, `steps/promotion.py`)."""
    upstream, key, target = stack.upstream, stack.trusted_key, release.target
    assert upstream is not None and checked.release is not None
    parse_manifest(checked)
    release.manifest = checked.manifest
    try:
        records = read_records(checked.release)
    except ArtifactError as error:
        release.problems += [str(error), *checked.problems]
        return
    kms = _kms_client(stack.reader, RECORD_FILE, RECORD_SIGNATURE_FILE)
    signature_problems = _kms_checked(lambda: verify_record(kms, key.key_id, records), key)
    release.signature = _signature(
        RECORD_FILE, key, records.signature, RECORD_SIGNATURE_FILE, not signature_problems
    )
    bound = CheckedRelease(manifest_sha256=checked.manifest_sha256)
    release.deployment_record = check_record(
        None,
        bound,
        records,
        target.stack,
        None,  # the signature was verified above, through the recorded client
        upstream.stack,
        upstream.service(target.service).pipeline_name,
    )
    # Without a signature both checks say so, in the same words: say it once.
    release.problems += list(dict.fromkeys(signature_problems + bound.problems))
    release.problems += checked.problems
    release.earlier_records = tuple(
        sorted(
            {name.split("/")[1] for name in records.upstream if name.startswith(UPSTREAM_FOLDER)}
        )
    )


def _kms_checked(check: Callable[[], list[str]], key: TrustedKey) -> list[str]:
    """A signature check's problems; a key KMS cannot use is a reason the release does not verify."""
    try:
        return check()
    except ClientError as error:
        details = error.response.get("Error", {})
        return [
            f"the trusted key {key.key_id} cannot verify: {details.get('Code')}: "
            f"{details.get('Message', '')}"
        ]


def _signature(
    signed_file: str,
    key: TrustedKey,
    signature: bytes | None,
    signature_file: str,
    verified: bool,
) -> SignatureCheck:
    signed_by = ""
    if signature is not None:
        try:
            signed_by = SignatureEnvelope.from_bytes(signature, signature_file).key_id
        except EnvelopeError:
            signed_by = ""
    return SignatureCheck(
        signed_file=signed_file,
        trusted_key=key.key_id,
        trusted_because=key.because,
        signed_by=signed_by,
        verified=verified and signature is not None,
    )
