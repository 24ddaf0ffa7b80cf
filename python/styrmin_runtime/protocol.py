"""The line-delimited JSON channel between the runtime and the agent.

Stdout belongs to the protocol alone: ``Channel.take_stdout`` keeps the real stdout for messages
and points file descriptor 1 at stderr, so ``print`` in an action, or a subprocess it starts,
lands in the run log instead of corrupting the protocol.
"""

import json
import os
import sys


class ProtocolError(Exception):
    """The agent sent something the runtime cannot understand."""


class Channel:
    def __init__(self, reader, writer):
        self._reader = reader
        self._writer = writer

    @classmethod
    def take_stdout(cls):
        out_fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        writer = os.fdopen(out_fd, "w", encoding="utf-8", buffering=1)
        reader = os.fdopen(os.dup(0), "r", encoding="utf-8")
        return cls(reader, writer)

    def send(self, message):
        self._writer.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._writer.flush()

    def receive(self):
        line = self._reader.readline()
        if not line:
            raise ProtocolError("the agent closed the channel")
        try:
            message = json.loads(line)
        except ValueError as error:
            raise ProtocolError(f"not JSON: {line[:200]!r}") from error
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ProtocolError(f"not a message object with a type: {line[:200]!r}")
        return message
