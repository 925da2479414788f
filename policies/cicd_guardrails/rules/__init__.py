"""The policies, one folder per AWS service and one module per resource-type concern."""
