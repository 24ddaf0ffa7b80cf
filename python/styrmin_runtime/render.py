"""``render``: the driver's values template rendered from a context.

Jinja2 with StrictUndefined (a name the context lacks is an error, never an empty string), the
filters drivers use (``component_env_vars``, ``component_command``, ``component_args``, each
``[]`` when unset, and a ``tojson`` that writes plain JSON, which YAML reads as a flow value).
"""

import json
import os

import jinja2


def _component_field(field):
    @jinja2.pass_context
    def lookup(context, name):
        components = context.get("components")
        if not isinstance(components, dict):
            return []
        component = components.get(name)
        if not isinstance(component, dict):
            return []
        value = component.get(field)
        return value if value is not None else []

    lookup.__name__ = "component_" + field
    return lookup


def _tojson(value, indent=None):
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises the usual "'x' is undefined" error here
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=False)


def make_environment(driver_dir):
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(driver_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    helpers = {
        "component_env_vars": _component_field("env_vars"),
        "component_command": _component_field("command"),
        "component_args": _component_field("args"),
    }
    environment.filters.update(helpers)
    environment.filters["tojson"] = _tojson
    # Also callable as functions: {{ component_env_vars("server") | tojson }}.
    environment.globals.update(helpers)
    return environment


def render(driver_dir, context, template="values.j2.yml"):
    """The rendered text; raises jinja2 errors as they come."""
    if not os.path.isfile(os.path.join(driver_dir, template)):
        return ""
    return make_environment(driver_dir).get_template(template).render(**context)


def describe_error(error, template="values.j2.yml"):
    """A JSON-able description of a rendering error, with the template line when known.

    Syntax errors carry their line; errors while rendering are found in the traceback, where
    Jinja2 puts frames for the template's own lines.
    """
    out = {"type": type(error).__name__, "message": str(error)}
    lineno = getattr(error, "lineno", None)
    if lineno is None:
        frame = error.__traceback__
        while frame is not None:
            if frame.tb_frame.f_code.co_filename.endswith(os.sep + template):
                lineno = frame.tb_lineno
            frame = frame.tb_next
    if lineno is not None:
        out["line"] = lineno
    return out
