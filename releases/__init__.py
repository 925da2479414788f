"""`bin/releases [STACK...]`: what each stack's services run now, and who let it in.

For every service it finds the pipeline by the names the program gives it (as `bin/troubleshoot`
does), takes the latest Succeeded execution as what is deployed, reads that execution's signed
release (`ReleaseOutput`: the manifest and, for a promoted release, the upstream's deployment record)
and its approval, and verifies the signature with the key the stack trusts (`kms:Verify`). It only
reads, and prints the AWS CLI command behind every read.
"""
