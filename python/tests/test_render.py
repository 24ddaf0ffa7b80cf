import os
import tempfile
import unittest

import jinja2

from styrmin_runtime.render import describe_error, render

CONTEXT = {
    "components": {
        "server": {"env_vars": [{"name": "LOG", "value": "INFO"}], "command": ["srv"], "args": []},
        "worker": {"env_vars": [], "command": [], "args": ["--fast"]},
    },
    "parameters": {"log_level": "INFO", "title": "<b>&'\""},
    "services": {"web": {"port": 8000, "host": "web.ns.svc.cluster.local"}},
}


class RenderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def render(self, template, context=CONTEXT):
        with open(os.path.join(self.dir.name, "values.j2.yml"), "w", encoding="utf-8") as f:
            f.write(template)
        return render(self.dir.name, context)

    def test_component_filters_return_the_context_lists_and_empty_lists_when_unset(self):
        out = self.render(
            "{{ 'server' | component_env_vars | tojson }}|{{ 'server' | component_command | tojson }}"
            "|{{ 'worker' | component_args | tojson }}|{{ 'nobody' | component_env_vars | tojson }}"
            "|{{ component_args('server') | tojson }}")
        self.assertEqual(
            out, '[{"name": "LOG", "value": "INFO"}]|["srv"]|["--fast"]|[]|[]')

    def test_tojson_writes_plain_json_without_html_escapes(self):
        self.assertEqual(self.render("{{ parameters.title | tojson }}"), '"<b>&\'\\""')

    def test_undefined_names_are_errors_with_their_line(self):
        # Not assertRaises: it drops the traceback, where the line is found.
        try:
            self.render("a: 1\nb: {{ parameters.missing }}\n")
            self.fail("rendered an undefined name")
        except jinja2.UndefinedError as error:
            described = describe_error(error)
        self.assertEqual(described,
                         {"type": "UndefinedError", "line": 2,
                          "message": "'dict object' has no attribute 'missing'"})

    def test_undefined_values_cannot_hide_in_tojson(self):
        with self.assertRaises(jinja2.UndefinedError):
            self.render("{{ nothing | tojson }}")

    def test_syntax_errors_carry_their_line(self):
        with self.assertRaises(jinja2.TemplateSyntaxError) as caught:
            self.render("a\nb\n{% for x in y %}\n")
        self.assertEqual(describe_error(caught.exception)["line"], 3)

    def test_a_driver_without_a_values_template_renders_nothing(self):
        self.assertEqual(render(self.dir.name, CONTEXT), "")

    def test_trailing_newlines_are_kept(self):
        self.assertEqual(self.render("port: {{ services.web.port }}\n"), "port: 8000\n")


if __name__ == "__main__":
    unittest.main()
