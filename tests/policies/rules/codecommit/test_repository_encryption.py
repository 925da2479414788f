"""codecommit-repository-kms: a repository under its own key passes; none or the AWS-managed key is refused."""

from cicd_guardrails.rules.codecommit.repository_encryption import POLICIES as REPO_POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_violation,
    resource,
)

REPO = "codecommit-repository-kms"
REPOSITORY = "aws:codecommit/repository:Repository"


def test_repository_with_own_key_passes_and_without_is_refused():
    good = resource(REPOSITORY, "app", {"repositoryName": "app", "kmsKeyId": UNKNOWN})
    bad = resource(REPOSITORY, "lib", {"repositoryName": "lib"})
    managed = resource(
        REPOSITORY, "old", {"repositoryName": "old", "kmsKeyId": "alias/aws/codecommit"}
    )
    result = analyze(REPO_POLICIES, [good, bad, managed])
    assert not [v for v in result.of(REPO) if v.urn == good.urn]
    assert_violation(result, REPO, "repository 'lib': kmsKeyId is not set", urn=bad.urn)
    assert_violation(result, REPO, "AWS-managed key 'alias/aws/codecommit'", urn=managed.urn)
