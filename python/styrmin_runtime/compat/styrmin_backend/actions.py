"""``from styrmin_backend.actions import ...``, as the public format's actions write it."""

from styrmin_runtime.primitives import (  # noqa: F401 - re-exported names
    PrimitiveError,
    execute_commands,
    get_logger,
    read_artifact,
    report_progress,
    scale_component,
    start_components,
    stop_components,
    upgrade_deployment_version,
    wait_for_components_ready,
    write_artifact,
)
