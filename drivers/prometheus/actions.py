"""Lifecycle actions of the prometheus driver.

The chart rolls the Prometheus pod whenever prometheus.yml changes, so after an upgrade the new
configuration is in force once the pod is ready. The actions wait for that and have promtool
(shipped in the image) check the configuration the server runs with and its readiness.
"""

from prefect import flow, get_run_logger
from styrmin_backend.actions import execute_commands, wait_for_components_ready

CONFIG = "/etc/prometheus/prometheus.yml"
CHECKS = [
    ["promtool", "check", "config", CONFIG],
    ["promtool", "check", "ready", "--url=http://localhost:9090"],
]


async def _run_checks():
    results = await execute_commands("prometheus", CHECKS) or []
    for command, result in zip(CHECKS, results):
        if result.get("exit_code") != 0:
            detail = (result.get("stderr") or result.get("stdout") or "").strip()
            raise RuntimeError(f"{' '.join(command)} failed: {detail}")
    if len(results) < len(CHECKS):
        raise RuntimeError("the checks did not all run")
    return results


@flow(name="prometheus-wait-ready")
async def wait_ready(context):
    """After the first deployment: waits until Prometheus is ready and its configuration valid."""
    await wait_for_components_ready(["prometheus"], timeout=600)
    await _run_checks()
    get_run_logger().info("Prometheus %s is ready", context["app"]["version"])


@flow(name="prometheus-check-config")
async def check_config(context):
    """After an upgrade: waits for the rolled pod (WAL replay included) and checks it."""
    await wait_for_components_ready(["prometheus"], timeout=1800)
    results = await _run_checks()
    log = get_run_logger()
    for line in (results[0].get("stdout") or "").splitlines():
        log.info("promtool: %s", line)
    log.info("Prometheus %s runs with a valid configuration", context["app"]["version"])
