"""Multi-language (remote) components: the nodes whose children the offline preview cannot see.

A component from a multi-language package (`awsx`, `aws-apigateway`, `synced-folder`, ...) is built by
its provider plugin: the SDK sends one `RegisterResourceRequest` with `remote=True` and the plugin's
`Construct` registers the load balancers, VPCs or security groups inside it (pulumi/pulumi
`sdk/python/lib/pulumi/runtime/resource.py`, `register_resource` / `prepare_resource`). Offline no
plugin runs, so such a component is analysed as one node without children, and no policy sees what it
would create. The user must be told.

The capture keeps the request's `remote` flag (offline_preview/capture.py), which the SDK sets for
exactly these components, so nothing is guessed from the version or provider a component carries.
"""

from collections.abc import Iterable

from offline_preview.registration import STACK_TYPE, RegisteredResource


def remote_components(resources: Iterable[RegisteredResource]) -> list[RegisteredResource]:
    """The components that a provider plugin would have constructed, in registration order."""
    return [r for r in resources if r.remote and not r.custom and r.type != STACK_TYPE]


def remote_component_warning(component: RegisteredResource) -> str:
    """The diagnostic for one remote component: what it is and what is not analysed."""
    return (
        f"offline preview: {component.type} is a multi-language component of the "
        f"'{component.package}' package; its provider plugin does not run offline, so the "
        "resources it would create are neither shown nor analysed by any policy pack; run "
        "`pulumi preview --policy-pack` with the CLI to analyse them"
    )
