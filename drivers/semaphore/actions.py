"""Lifecycle actions of the semaphore driver.

Semaphore keeps its schema version in its database; `semaphore migrate` (its CLI's "Execute
migrations") brings the database to the running binary's schema and is a no-op when it is up
to date. The server applies pending migrations too when it starts; running them as a step of
the upgrade makes a failure the upgrade's, with Semaphore's own message in the run log. The
command runs in the new version's pod, with the configuration the server itself reads
(/etc/semaphore/config.json and the SEMAPHORE_* environment).
"""

from prefect import flow, get_run_logger
from styrmin_backend.actions import execute_commands, wait_for_components_ready

MIGRATE = ["semaphore", "migrate", "--config", "/etc/semaphore/config.json"]


@flow(name="semaphore-wait-ready")
async def wait_ready(context):
    """After the first deployment: waits for PostgreSQL, then for Semaphore."""
    await wait_for_components_ready(["database"], timeout=600)
    await wait_for_components_ready(["semaphore"], timeout=600)
    get_run_logger().info("Semaphore %s is ready", context["app"]["version"])


@flow(name="semaphore-migrate")
async def migrate(context):
    """After the new version's chart is applied: applies Semaphore's database migrations."""
    log = get_run_logger()
    await wait_for_components_ready(["database"], timeout=600)
    results = await execute_commands("semaphore", [MIGRATE])
    if not results or results[0].get("exit_code") != 0:
        detail = ""
        if results:
            detail = (results[0].get("stderr") or results[0].get("stdout") or "").strip()[-2000:]
        raise RuntimeError(f"{' '.join(MIGRATE)} failed: {detail or 'it did not run'}")
    for line in (results[0].get("stdout") or "").splitlines():
        log.info("semaphore migrate: %s", line)
    await wait_for_components_ready(["semaphore"], timeout=900)
    log.info("Semaphore %s migrated and ready", context["app"]["version"])
    return {"version": context["app"]["version"]}
