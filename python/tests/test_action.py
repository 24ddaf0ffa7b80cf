"""run-action end to end: the test plays the agent on the other end of the channel."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Agent:
    """Starts the runtime and answers its primitive calls from a table."""

    def __init__(self, driver_dir, function, answers=None, context=None):
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "styrmin_runtime", "run-action"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, cwd=driver_dir)
        self.answers = answers or {}
        self.calls, self.logs, self.progress = [], [], []
        self.send({"type": "start", "driver_dir": driver_dir, "file": "actions.py",
                   "function": function, "context": context or {"deployment": {"name": "d"}}})

    def send(self, message):
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def run(self):
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("the runtime ended without an answer: "
                                     + self.process.stderr.read())
            message = json.loads(line)
            kind = message["type"]
            if kind == "call":
                self.calls.append((message["primitive"], message["args"]))
                answer = self.answers.get(message["primitive"])
                if isinstance(answer, Exception):
                    self.send({"type": "error", "id": message["id"], "message": str(answer)})
                else:
                    self.send({"type": "result", "id": message["id"], "value": answer})
            elif kind == "log":
                self.logs.append((message["level"], message["message"]))
            elif kind == "progress":
                self.progress.append(message["value"])
            else:
                self.process.stdin.close()
                self.stderr = self.process.stderr.read()
                self.process.stdout.close()
                self.process.stderr.close()
                self.process.wait(timeout=30)
                return message


class RunActionTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, source):
        with open(os.path.join(self.dir.name, "actions.py"), "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(source))

    def test_a_public_format_action_runs_unchanged_and_calls_primitives_in_order(self):
        self.write("""
            from prefect import flow, get_run_logger
            from styrmin_backend.actions import (execute_commands, start_components,
                                                 stop_components, wait_for_components_ready)

            @flow(name="upgrade")
            async def migrate(context):
                logger = get_run_logger()
                await stop_components(["task-worker"])
                out = await execute_commands("server", ["infrahub", "db", "migrate"])
                logger.info("migrated: %s", out[0]["stdout"])
                await start_components("task-worker")
                await wait_for_components_ready(["server", "task-worker"], timeout=30)
                print("this goes to stderr, not the protocol")
                return {"deployment": context["deployment"]["name"]}
        """)
        agent = Agent(self.dir.name, "migrate", answers={
            "execute_commands": [{"exit_code": 0, "stdout": "ok", "stderr": ""}]})
        self.assertEqual(agent.run(), {"type": "done", "result": {"deployment": "d"}})
        self.assertEqual(agent.calls, [
            ("stop_components", {"components": ["task-worker"]}),
            ("execute_commands", {"component": "server",
                                  "commands": [["infrahub", "db", "migrate"]]}),
            ("start_components", {"components": ["task-worker"]}),
            ("wait_for_components_ready", {"components": ["server", "task-worker"],
                                           "timeout": 30}),
        ])
        self.assertEqual(agent.logs, [("INFO", "migrated: ok")])
        self.assertIn("this goes to stderr", agent.stderr)
        self.assertEqual(agent.process.returncode, 0)

    def test_an_action_that_raises_reports_the_error_and_traceback(self):
        self.write("""
            def setup(context):
                raise ValueError("no database")
        """)
        answer = Agent(self.dir.name, "setup").run()
        self.assertEqual(answer["type"], "failed")
        self.assertEqual(answer["error"], "ValueError: no database")
        self.assertIn('actions.py", line 3, in setup', answer["traceback"])

    def test_a_failed_primitive_raises_in_the_action_which_may_catch_it(self):
        self.write("""
            from styrmin_backend.actions import PrimitiveError, scale_component
            async def scale():
                try:
                    await scale_component("server", 3)
                except PrimitiveError as error:
                    return str(error)
        """)
        agent = Agent(self.dir.name, "scale", answers={"scale_component": RuntimeError("nope")})
        self.assertEqual(agent.run(), {"type": "done", "result": "scale_component: nope"})

    def test_artifacts_travel_as_base64(self):
        self.write("""
            from styrmin_backend.actions import read_artifact, write_artifact, report_progress
            async def backup():
                await write_artifact("dump", b"\\x00\\x01binary")
                report_progress(0.5, "half")
                return (await read_artifact("dump")).decode("latin-1")
        """)
        agent = Agent(self.dir.name, "backup", answers={"read_artifact": "aGVsbG8="})
        self.assertEqual(agent.run(), {"type": "done", "result": "hello"})
        self.assertEqual(agent.calls[0], ("write_artifact", {"key": "dump", "data": "AAFiaW5hcnk="}))
        self.assertEqual(agent.progress, [0.5])

    def test_a_missing_function_is_a_failure_not_a_crash(self):
        self.write("def other():\n    pass\n")
        answer = Agent(self.dir.name, "missing").run()
        self.assertEqual(answer["type"], "failed")
        self.assertIn("has no function 'missing'", answer["error"])


if __name__ == "__main__":
    unittest.main()
