"""The release machinery: signing key, image repositories, and the stack-owned steps that build, sign and verify."""
