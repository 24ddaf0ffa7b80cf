from styrmin_backend.actions import execute_commands


class Workers:
    async def stop_workers(self, context):
        pass


async def migrate(context):
    await execute_commands("server", ["infrahub", "db", "migrate"])

    def setup(context):
        return None
