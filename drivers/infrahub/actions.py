"""Lifecycle actions of the infrahub driver.

Upgrading follows Infrahub's upgrade guide (https://docs.infrahub.app/guides/upgrade): once the
new version's images run, ``infrahub upgrade`` is executed in an API server pod. It applies the
graph migrations (what ``infrahub db migrate`` does), then updates the core schema, the menu and
permissions and the task manager's deployments. The task workers are stopped meanwhile, so no
background task runs against a database that is half migrated.
"""

from prefect import flow, get_run_logger
from styrmin_backend.actions import (
    execute_commands,
    report_progress,
    start_components,
    stop_components,
    wait_for_components_ready,
)

# Every component, in the order Infrahub needs them: its backing services first.
COMPONENTS = [
    "database",
    "cache",
    "message-queue",
    "task-manager-db",
    "task-manager",
    "server",
    "task-worker",
]

UPGRADE_COMMAND = ["infrahub", "upgrade"]


def _check(results, commands, component):
    """Raises when a command did not run or failed; returns the results."""
    results = results or []
    for index, command in enumerate(commands):
        if index >= len(results):
            raise RuntimeError(f"{' '.join(command)} did not run in {component}")
        result = results[index]
        if result.get("exit_code") != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed in {component} with exit code "
                f"{result.get('exit_code')}: {(result.get('stderr') or result.get('stdout') or '').strip()[-2000:]}"
            )
    return results


@flow(name="infrahub-wait-ready")
async def wait_ready(context):
    """After the first deployment: waits until every component is ready.

    Infrahub initialises an empty database itself when the server first starts.
    """
    log = get_run_logger()
    await wait_for_components_ready(COMPONENTS, timeout=900)
    log.info("Infrahub %s is ready", context["app"]["version"])


@flow(name="infrahub-upgrade")
async def upgrade(context):
    """After the new version's chart is applied: migrates the database with the workers stopped."""
    log = get_run_logger()
    version = context["app"]["version"]

    log.info("Stopping the task workers before migrating the database")
    await stop_components(["task-worker"])
    report_progress(0.1, "task workers stopped")

    log.info("Running %s in the server (Infrahub %s)", " ".join(UPGRADE_COMMAND), version)
    results = _check(await execute_commands("server", [UPGRADE_COMMAND]), [UPGRADE_COMMAND], "server")
    output = results[0].get("stdout") or ""
    for line in output.splitlines():
        log.info("infrahub upgrade: %s", line)
    # `infrahub upgrade` reports a failed migration on its output and still exits 0.
    if "Upgrade cancelled" in output:
        raise RuntimeError("infrahub upgrade cancelled the upgrade: a migration failed")
    report_progress(0.7, "database migrated")

    log.info("Starting the task workers")
    await start_components(["task-worker"])
    await wait_for_components_ready(["server", "task-worker"], timeout=900)
    report_progress(1.0, "Infrahub upgraded")
    return {"version": version}
