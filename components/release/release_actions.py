"""The IAM actions and the algorithm the release machinery grants, each defined once."""

SIGNING_ALGORITHM = "ECDSA_SHA_256"
"""The one algorithm the release key signs with (ECC_NIST_P256); pinned in the key policy too."""
SIGNING_KEY_VERIFY_ACTIONS = ("kms:DescribeKey", "kms:GetPublicKey", "kms:Verify")
ARTIFACT_KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
IMAGE_PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)
IMAGE_READ_ACTIONS = ("ecr:DescribeImageScanFindings", "ecr:DescribeImages")
