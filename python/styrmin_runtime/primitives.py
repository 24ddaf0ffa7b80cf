"""The primitives an action calls, served by the agent over the channel.

Each call sends ``{"type": "call", "id", "primitive", "args"}`` and waits for the agent's
``{"type": "result", "id", "value"}`` or ``{"type": "error", "id", "message"}``; log lines and
progress go out without a reply. The functions are coroutines, as actions written for the
public format await them; they block while the agent works, which is fine: one action runs per
process.
"""

import base64
import logging

from .protocol import ProtocolError

_channel = None
_next_id = 0


class PrimitiveError(Exception):
    """The agent could not carry out a primitive; the action may catch it."""


def bind(channel):
    global _channel
    _channel = channel


def call(primitive, **args):
    global _next_id
    if _channel is None:
        raise RuntimeError("primitives are only available inside an action run by the agent")
    _next_id += 1
    call_id = _next_id
    _channel.send({"type": "call", "id": call_id, "primitive": primitive, "args": args})
    reply = _channel.receive()
    if reply.get("id") != call_id:
        raise ProtocolError(f"expected the reply to call {call_id}, got {reply!r}"[:300])
    if reply["type"] == "result":
        return reply.get("value")
    if reply["type"] == "error":
        raise PrimitiveError(f"{primitive}: {reply.get('message', 'failed')}")
    raise ProtocolError(f"unexpected reply type {reply['type']!r}")


def _names(components):
    return [components] if isinstance(components, str) else list(components)


async def stop_components(components):
    """Scales the named components to zero and waits until their pods are gone."""
    return call("stop_components", components=_names(components))


async def start_components(components):
    """Scales the named components back to their desired replicas."""
    return call("start_components", components=_names(components))


async def scale_component(component, replicas):
    return call("scale_component", component=component, replicas=int(replicas))


async def execute_commands(component, commands):
    """Runs each command (a list of arguments) in a pod of the component, in order.

    Returns one ``{"exit_code", "stdout", "stderr"}`` per command; stops at the first failure
    unless the agent is told otherwise.
    """
    if commands and isinstance(commands[0], str):
        commands = [commands]
    return call("execute_commands", component=component, commands=[list(c) for c in commands])


async def wait_for_components_ready(components, timeout=600):
    return call("wait_for_components_ready", components=_names(components), timeout=timeout)


async def upgrade_deployment_version():
    """Applies the new version's chart (the core step of an upgrade), from inside an action."""
    return call("upgrade_deployment_version")


async def write_artifact(key, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return call("write_artifact", key=key, data=base64.b64encode(data).decode("ascii"))


async def read_artifact(key):
    return base64.b64decode(call("read_artifact", key=key))


def report_progress(fraction, message=""):
    if _channel is not None:
        _channel.send({"type": "progress", "value": float(fraction), "message": str(message)})


class _ChannelHandler(logging.Handler):
    def emit(self, record):
        if _channel is None:
            return
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a broken log record must not end the action
            text = str(record.msg)
        _channel.send({"type": "log", "level": record.levelname, "message": text})


_logger = logging.getLogger("styrmin.action")
_logger.setLevel(logging.DEBUG)
_logger.propagate = False
_logger.addHandler(_ChannelHandler())


def get_logger():
    """The logger whose lines land in the run's log."""
    return _logger
