"""Unit tests of pontes-gen: spec errors carry JSON pointers, YAML 1.2 scalars,
determinism, and generation of the public Petstore spec."""
import filecmp
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GEN = os.path.join(ROOT, 'generator', 'pontes-gen')
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen.loader import Document, SpecError  # noqa: E402
from pontes_gen.model import build_model, c_string, snake  # noqa: E402

SHARED = os.environ.get('PONTES_SHARED_DIR', os.path.join(ROOT, '..', 'shared'))

BASE = """\
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
"""


def spec(tmp, text, name='s.yaml'):
    path = os.path.join(tmp, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(textwrap.dedent(text))
    return path


class SpecErrors(unittest.TestCase):
    def model_error(self, text):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SpecError) as cm:
                build_model(Document(spec(tmp, text)))
            return cm.exception

    def test_unresolved_ref_has_pointer(self):
        e = self.model_error(BASE + """\
components:
  schemas:
    A:
      type: object
      properties:
        b: {$ref: '#/components/schemas/Missing'}
""")
        self.assertEqual(e.pointer, '#/components/schemas/A/properties/b/$ref')
        self.assertIn("'#/components/schemas/Missing' does not resolve", e.message)

    def test_duplicate_operation_id(self):
        e = self.model_error("""\
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /a:
    get: {operationId: same, responses: {"200": {description: ok}}}
  /b:
    get: {operationId: same, responses: {"200": {description: ok}}}
""")
        self.assertEqual(e.pointer, '#/paths/~1b/get/operationId')
        self.assertIn("duplicate operationId 'same'", e.message)

    def test_path_variable_without_parameter(self):
        e = self.model_error("""\
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /a/{id}:
    get: {responses: {"200": {description: ok}}}
""")
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get')
        self.assertIn("'{id}' has no path parameter", e.message)

    def test_unknown_type(self):
        e = self.model_error(BASE + """\
components:
  schemas:
    A: {type: strnig}
""")
        self.assertEqual(e.pointer, '#/components/schemas/A/type')

    def test_wrong_version(self):
        e = self.model_error('swagger: "2.0"\ninfo: {title: T}\n')
        self.assertEqual(e.pointer, '#/openapi')

    def test_operation_without_responses(self):
        e = self.model_error("""\
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /a:
    post: {operationId: x}
""")
        self.assertEqual(e.pointer, '#/paths/~1a/post/responses')

    def test_duplicate_yaml_key(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SpecError) as cm:
                Document(spec(tmp, BASE + "components: {}\ncomponents: {}\n"))
            self.assertIn('duplicate key', str(cm.exception))

    def test_cli_reports_error_and_exit_code(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = spec(tmp, BASE + "components:\n  schemas:\n    A: {$ref: '#/nope'}\n")
            r = subprocess.run([sys.executable, GEN, p, '--out', os.path.join(tmp, 'o')],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn('#/components/schemas/A/$ref', r.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, 'o')))


class Yaml12(unittest.TestCase):
    def test_scalars_stay_strings(self):
        with tempfile.TemporaryDirectory() as tmp:
            d = Document(spec(tmp, "a: no\nb: 10:30\nc: 2023-11-21T03:00:00.000Z\nd: on\ne: 0o17\nf: 1.5\ng: true\n"
                                   "h: 007\n"))
            r = d.root
            self.assertEqual(r['a'], 'no')
            self.assertEqual(r['b'], '10:30')
            self.assertEqual(r['c'], '2023-11-21T03:00:00.000Z')
            self.assertEqual(r['d'], 'on')
            self.assertEqual(r['e'], 15)
            self.assertEqual(r['f'], 1.5)
            self.assertIs(r['g'], True)
            self.assertEqual(r['h'], 7)


class Model(unittest.TestCase):
    def test_type_name_does_not_collide_with_operation(self):
        with tempfile.TemporaryDirectory() as tmp:
            api = build_model(Document(spec(tmp, """\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
paths:
  /a:
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/GetThing'}}}
components:
  schemas:
    GetThing: {type: object, properties: {x: {type: string}}}
""")))
            self.assertEqual([m.cname for m in api.messages], ['t_get_thing2'])

    def test_nullable_forms(self):
        with tempfile.TemporaryDirectory() as tmp:
            api = build_model(Document(spec(tmp, """\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
paths: {}
components:
  schemas:
    O:
      type: object
      properties:
        a: {type: [string, "null"]}
        b: {oneOf: [{$ref: '#/components/schemas/P'}, {type: "null"}]}
        c: {type: string, enum: [x, null]}
        d: {type: string}
    P: {type: object}
""")))
            o = api.messages[0]
            self.assertEqual([f.nullable for f in o.fields], [True, True, True, False])
            self.assertEqual(o.fields[1].type.kind, 'object')
            self.assertEqual(o.fields[2].type.kind, 'enum')

    def test_helpers(self):
        self.assertEqual(snake('NaturalPerson'), 'natural_person')
        self.assertEqual(snake('X-Rate-Limit'), 'x_rate_limit')
        self.assertEqual(snake('HTTPServer'), 'http_server')
        self.assertEqual(c_string('a"b\\ç?'), '"a\\"b\\\\\\303\\247\\?"')


class Output(unittest.TestCase):
    def gen(self, spec_path, out, prefix=None):
        cmd = [sys.executable, GEN, spec_path, '--out', out, '--quiet']
        if prefix:
            cmd += ['--prefix', prefix]
        r = subprocess.run(cmd, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_deterministic(self):
        src = os.path.join(ROOT, 'tests', 'generator', 'fixtures', 'kitchen_sink.yaml')
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, 'a'), os.path.join(tmp, 'b')
            self.gen(src, a)
            self.gen(src, b)
            cmp = filecmp.dircmp(a, b)
            self.assertFalse(cmp.diff_files or cmp.left_only or cmp.right_only)
            for sub in ('include/pontes', 'src', 'tests'):
                c = filecmp.dircmp(os.path.join(a, sub), os.path.join(b, sub))
                self.assertFalse(c.diff_files, sub)
            r = subprocess.run([sys.executable, GEN, src, '--out', a, '--check'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(a, 'src', 'ks.c'), 'a') as f:
                f.write('/* edited */\n')
            r = subprocess.run([sys.executable, GEN, src, '--out', a, '--check'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn('src/ks.c is out of date', r.stderr)

    def test_petstore(self):
        src = os.path.join(SHARED, 'specs-public', 'petstore3.yaml')
        if not os.path.exists(src):
            self.skipTest('shared/specs-public/petstore3.yaml not present')
        with tempfile.TemporaryDirectory() as tmp:
            self.gen(src, tmp, 'petstore')
            with open(os.path.join(tmp, 'include', 'pontes', 'petstore.h'), encoding='utf-8') as f:
                h = f.read()
            self.assertIn('int) petstore_find_pets_by_status(petstore_client *c, '
                          'const petstore_find_pets_by_status_params *params', h)
            self.assertIn('struct petstore_pet {', h)

    def test_committed_generated_is_current(self):
        for name in sorted(os.listdir(os.path.join(ROOT, 'specs'))):
            if not name.endswith('.yaml'):
                continue
            src = os.path.join(ROOT, 'specs', name)
            api = build_model(Document(src))
            out = os.path.join(ROOT, 'generated', api.prefix)
            r = subprocess.run([sys.executable, GEN, src, '--out', out, '--check'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f'{name}: generated/ is out of date: run tools/regenerate.sh\n'
                                              + r.stderr)


if __name__ == '__main__':
    unittest.main()
