"""The two names of Prefect that actions use, for running them without Prefect installed.

``flow`` leaves the function as it is (with or without arguments: ``@flow``,
``@flow(name=...)``); ``get_run_logger`` returns the logger whose lines land in the run log.
Only on the path when the real Prefect is not installed.
"""

from styrmin_runtime.primitives import get_logger


def flow(function=None, **_options):
    if function is None:
        return lambda f: f
    return function


task = flow


def get_run_logger():
    return get_logger()
