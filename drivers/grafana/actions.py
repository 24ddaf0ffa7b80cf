"""Lifecycle actions of the grafana driver.

Grafana migrates its own database when it starts, so an upgrade needs no migration step: the
actions wait for the pod and ask Grafana's health endpoint (/api/health) whether its database
is usable and which version answers.
"""

import json

from prefect import flow, get_run_logger
from styrmin_backend.actions import execute_commands, wait_for_components_ready

# wget is BusyBox's in the Alpine-based image (grafana/grafana); -q: no progress on stderr.
HEALTH = ["wget", "-q", "-O", "-", "http://localhost:3000/api/health"]


async def _health():
    results = await execute_commands("grafana", [HEALTH])
    if not results or results[0].get("exit_code") != 0:
        detail = (results[0].get("stderr") or "").strip() if results else "did not run"
        raise RuntimeError(f"Grafana's /api/health did not answer: {detail}")
    health = json.loads(results[0].get("stdout") or "{}")
    if health.get("database") != "ok":
        raise RuntimeError(f"Grafana reports its database as {health.get('database')!r}")
    return health


@flow(name="grafana-wait-ready")
async def wait_ready(context):
    """After the first deployment: waits until Grafana serves and its database is usable."""
    await wait_for_components_ready(["grafana"], timeout=600)
    health = await _health()
    get_run_logger().info("Grafana %s is ready", health.get("version", "?"))


@flow(name="grafana-check-version")
async def check_version(context):
    """After an upgrade: waits for the new pod and checks that it runs the version asked for."""
    wanted = context["app"]["version"]
    await wait_for_components_ready(["grafana"], timeout=900)
    health = await _health()
    running = str(health.get("version", ""))
    # Grafana may add a suffix (12.2.1+security-01); the release must match.
    if running.split("+")[0].split("-")[0] != wanted:
        raise RuntimeError(f"Grafana runs version {running!r}, expected {wanted}")
    get_run_logger().info("Grafana upgraded to %s; it migrated its database on start", running)
    return {"version": running}
