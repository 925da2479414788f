"""Sign the manifest's canonical bytes with the release key (KMS), and verify such a signature.

KMS signs the SHA-256 digest (`MessageType=DIGEST`), so any manifest size signs the same way. A
verifier trusts only the key its stage was configured with: the key named inside the envelope is
reported, never used to verify. A deployment record (`deployment.json`) is signed the same way,
into the same envelope (`deployment.sig.json`, whose `manifestSha256` is then the record's digest).
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

SIGNING_ALGORITHM = "ECDSA_SHA_256"
MESSAGE_TYPE = "DIGEST"
ENVELOPE_FIELDS = (
    "keyId",
    "requestedKeyId",
    "signingAlgorithm",
    "messageType",
    "manifestSha256",
    "signature",
)


class EnvelopeError(ValueError):
    """A `manifest.sig.json` that is not the envelope this module writes."""


@dataclass(frozen=True)
class SignedFile:
    """What a signature is over, as the problems name it: the manifest or a deployment record."""

    name: str = "manifest"
    file: str = "manifest.json"
    signature_file: str = "manifest.sig.json"
    unverified: str = "signature does not verify with the release key"


MANIFEST = SignedFile()


@dataclass(frozen=True)
class SignatureEnvelope:
    """`manifest.sig.json`: the signature and which key KMS says made it."""

    key_id: str
    """The key ARN KMS returned from Sign."""
    requested_key_id: str
    """The key id the signer asked for (the alias ARN)."""
    manifest_sha256: str
    signature: str
    """Base64 of the DER signature."""
    signing_algorithm: str = SIGNING_ALGORITHM
    message_type: str = MESSAGE_TYPE

    def to_dict(self) -> dict[str, str]:
        return {
            "keyId": self.key_id,
            "requestedKeyId": self.requested_key_id,
            "signingAlgorithm": self.signing_algorithm,
            "messageType": self.message_type,
            "manifestSha256": self.manifest_sha256,
            "signature": self.signature,
        }

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), sort_keys=True, indent=2).encode() + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes, file: str = MANIFEST.signature_file) -> "SignatureEnvelope":
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EnvelopeError(f"{file} is not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise EnvelopeError(f"{file} is not a JSON object")
        for name in ENVELOPE_FIELDS:
            if not isinstance(document.get(name), str) or not document[name]:
                raise EnvelopeError(f"{file} field {name} is missing or not a string")
        return cls(
            key_id=document["keyId"],
            requested_key_id=document["requestedKeyId"],
            manifest_sha256=document["manifestSha256"],
            signature=document["signature"],
            signing_algorithm=document["signingAlgorithm"],
            message_type=document["messageType"],
        )


def sign_manifest(kms: Any, key_id: str, manifest_bytes: bytes) -> SignatureEnvelope:
    """Sign the manifest bytes' SHA-256 with `key_id` (the release key's alias ARN)."""
    digest = hashlib.sha256(manifest_bytes)
    answer = kms.sign(
        KeyId=key_id,
        Message=digest.digest(),
        MessageType=MESSAGE_TYPE,
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    return SignatureEnvelope(
        key_id=answer["KeyId"],
        requested_key_id=key_id,
        manifest_sha256=digest.hexdigest(),
        signature=base64.b64encode(answer["Signature"]).decode("ascii"),
        signing_algorithm=answer.get("SigningAlgorithm", SIGNING_ALGORITHM),
    )


def verify_manifest(
    kms: Any,
    expected_key_id: str,
    manifest_bytes: bytes,
    envelope: SignatureEnvelope,
    signed: SignedFile = MANIFEST,
) -> list[str]:
    """Every reason the envelope does not prove the manifest was signed by the expected key.

    An empty list means KMS verified the signature with `expected_key_id`, which the stage
    configured; the envelope's own key id is only compared, never used to verify. `signed` names
    another signed file (a deployment record) in the problems.
    """
    problems = []
    digest = hashlib.sha256(manifest_bytes)
    if envelope.manifest_sha256 != digest.hexdigest():
        problems.append(
            f"{signed.signature_file} is for {signed.name} sha256 {envelope.manifest_sha256}, "
            f"{signed.file} has sha256 {digest.hexdigest()}"
        )
    if (envelope.signing_algorithm, envelope.message_type) != (SIGNING_ALGORITHM, MESSAGE_TYPE):
        problems.append(
            f"signature uses {envelope.signing_algorithm}/{envelope.message_type}, "
            f"this stage accepts {SIGNING_ALGORITHM}/{MESSAGE_TYPE} only"
        )
        return problems
    trusted_arn = kms.describe_key(KeyId=expected_key_id)["KeyMetadata"]["Arn"]
    other_key = envelope.key_id != trusted_arn
    if other_key:
        problems.append(
            f"{signed.name} signed by another key: {envelope.key_id}, this stage trusts "
            f"{expected_key_id} ({trusted_arn})"
        )
    try:
        signature = base64.b64decode(envelope.signature, validate=True)
    except (binascii.Error, ValueError):
        return [*problems, f"{signed.signature_file} signature is not base64"]
    if not signature:
        return [*problems, f"{signed.signature_file} signature is empty"]
    if not _kms_verifies(kms, expected_key_id, digest.digest(), signature) and not other_key:
        problems.append(f"{signed.unverified} {expected_key_id}")
    return problems


def _kms_verifies(kms: Any, key_id: str, digest: bytes, signature: bytes) -> bool:
    """KMS's answer; real KMS raises KMSInvalidSignatureException, moto says SignatureValid False."""
    try:
        answer = kms.verify(
            KeyId=key_id,
            Message=digest,
            MessageType=MESSAGE_TYPE,
            Signature=signature,
            SigningAlgorithm=SIGNING_ALGORITHM,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "KMSInvalidSignatureException":
            return False
        raise
    return bool(answer.get("SignatureValid"))
