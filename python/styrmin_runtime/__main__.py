"""Entry point: ``python -m styrmin_runtime render|run-action`` (docs/driver-runtime.md).

Exit status: 0 when the request was carried out and answered (a template error or an action
that raised is an answer), 2 when the request itself was unusable.
"""

import asyncio
import importlib.util
import inspect
import json
import os
import sys
import traceback

from . import PROTOCOL_VERSION, primitives
from .protocol import Channel, ProtocolError
from .render import describe_error, render

COMPAT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compat")


def _json_safe(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _expect(message, kind, fields):
    if message.get("type") != kind:
        raise ProtocolError(f"expected a {kind!r} message, got {message.get('type')!r}")
    for field in fields:
        if field not in message:
            raise ProtocolError(f"the {kind!r} message has no {field!r}")


def run_render(channel):
    request = channel.receive()
    _expect(request, "render", ("driver_dir", "context"))
    template = request.get("template", "values.j2.yml")
    try:
        text = render(request["driver_dir"], request["context"], template)
    except Exception as error:  # noqa: BLE001 - every template error is reported, not raised
        channel.send({"type": "render_error", "error": describe_error(error, template)})
        return
    channel.send({"type": "rendered", "values": text})


def _load_function(driver_dir, file_name, function_name):
    path = os.path.join(driver_dir, file_name)
    module_name = "styrmin_driver_" + os.path.splitext(os.path.basename(file_name))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {file_name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise AttributeError(f"{file_name} has no function {function_name!r}")
    return function


def _call(function, context):
    try:
        parameters = inspect.signature(function).parameters.values()
        takes_context = any(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            for p in parameters)
    except (TypeError, ValueError):
        takes_context = True
    result = function(context) if takes_context else function()
    if inspect.isawaitable(result):
        result = asyncio.run(_await(result))
    return result


async def _await(awaitable):
    return await awaitable


def run_action(channel):
    start = channel.receive()
    _expect(start, "start", ("driver_dir", "file", "function", "context"))
    driver_dir = os.path.abspath(start["driver_dir"])
    sys.path.insert(0, driver_dir)  # actions may import helpers shipped in the driver
    sys.path.append(COMPAT_DIR)  # after site-packages: a real Prefect, when installed, wins
    primitives.bind(channel)
    try:
        function = _load_function(driver_dir, start["file"], start["function"])
        result = _call(function, start["context"])
    except ProtocolError:
        raise
    except BaseException as error:  # noqa: BLE001 - SystemExit in an action is a failure too
        channel.send({
            "type": "failed",
            "error": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(),
        })
        return
    channel.send({"type": "done", "result": _json_safe(result)})


def main(argv):
    if len(argv) != 2 or argv[1] not in ("render", "run-action", "version"):
        print("usage: python -m styrmin_runtime render|run-action|version", file=sys.stderr)
        return 2
    if argv[1] == "version":
        print(PROTOCOL_VERSION)
        return 0
    channel = Channel.take_stdout()
    try:
        if argv[1] == "render":
            run_render(channel)
        else:
            run_action(channel)
    except ProtocolError as error:
        print(f"styrmin_runtime: protocol error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
