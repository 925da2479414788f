"""An IAM model: documents, conditions, ARN formats, CIDRs, trust and AWS-managed policies."""
