"""Styrmin's driver runtime: renders a driver's values template and runs its actions.

The agent starts ``python -m styrmin_runtime render`` or ``... run-action`` in a subprocess and
talks to it over stdin/stdout; see docs/driver-runtime.md for the protocol.
"""

PROTOCOL_VERSION = 1
