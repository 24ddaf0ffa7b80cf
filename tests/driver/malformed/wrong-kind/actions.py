from styrmin_backend.actions import execute_commands
from prefect import flow


@flow
async def stop_workers(context):
    pass


async def migrate(context):
    await execute_commands("server", ["infrahub", "db", "migrate"])


def setup(context):
    return None
