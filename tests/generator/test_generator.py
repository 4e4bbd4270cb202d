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
from pontes_gen.model import build_model, c_string, json_key, snake  # noqa: E402

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

    def test_json_key(self):
        """The precomputed member key: escaped as the runtime's put_string escapes (codec.c)."""
        self.assertEqual(json_key('id'), b'"id":')
        self.assertEqual(json_key('a"b\\c/d'), b'"a\\"b\\\\c/d":')
        self.assertEqual(json_key('\b\f\n\r\t'), b'"\\b\\f\\n\\r\\t":')
        self.assertEqual(json_key('\x01\x1f\x7f'), b'"\\u0001\\u001f\x7f":')  # DEL as is
        self.assertEqual(json_key('ñ日😀'), '"ñ日😀":'.encode('utf-8'))  # UTF-8 kept
        self.assertEqual(json_key(''), b'"":')
        self.assertIsNone(json_key('a\0b'))  # C cannot hold it: the runtime escapes the name
        self.assertIsNone(json_key('\ud800'))  # not Unicode text


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
                h = ' '.join(f.read().split())  # prototypes may be wrapped
            self.assertIn('int) petstore_find_pets_by_status(petstore_client *c, '
                          'const petstore_find_pets_by_status_params *params', h)
            self.assertIn('struct petstore_pet {', h)

    def test_field_keys_emitted(self):
        """Every member's pontes_field carries its ready key, key_len and name_len."""
        src = os.path.join(ROOT, 'tests', 'generator', 'fixtures', 'odd_keys.yaml')
        with tempfile.TemporaryDirectory() as tmp:
            self.gen(src, tmp, 'odd')
            with open(os.path.join(tmp, 'src', 'odd.c'), encoding='utf-8') as f:
                c = ' '.join(f.read().split())
        self.assertIn('"say \\"hi\\"", 0, offsetof(odd_odd, say_hi), offsetof(odd_odd, has_say_hi), '
                      '&pontes_type_string, "\\"say \\\\\\"hi\\\\\\"\\":", 13, 8 }', c)
        self.assertIn('&pontes_type_bool, "\\"bell\\\\u0007\\\\u0001\\\\u001f\\":", 25, 7 }', c)
        self.assertIn('"\\"l\\303\\255nea \\303\\261\\":", 12, 9 }', c)  # UTF-8 bytes counted
        self.assertIn('&pontes_type_string, "\\"a\\":", 4, 1 }', c)
        self.assertNotIn('NULL, 0, 0 }', c)  # no box here: every member has its key

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


def model_of(text):
    with tempfile.TemporaryDirectory() as tmp:
        return build_model(Document(spec(tmp, text)))


class PublicConstructs(unittest.TestCase):
    """Constructs of public specs (issue 6.10) and the request-value names (6.7)."""

    def test_container_names_never_collide(self):
        api = model_of(BASE + """\
x-pontes-api: t
components:
  schemas:
    Item: {type: object, properties: {a: {type: string}}}
    ItemArray: {type: object, properties: {all: {type: array, items: {$ref: '#/components/schemas/Item'}}}}
    ItemList: {type: array, items: {$ref: '#/components/schemas/Item'}}
    Bag:
      type: object
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Item'}}
        byName: {type: object, additionalProperties: {$ref: '#/components/schemas/Item'}}
        tags: {type: array, items: {type: string}}
""")
        names = {m.cname for m in api.messages}
        self.assertIn('t_item_array', names)   # the schema keeps its name
        conts = {t.cname for t in api.containers.values()}
        self.assertIn('t_item_array2', conts)  # the container steps aside
        self.assertIn('t_item_map', conts)
        self.assertIn('pontes_string_list', conts)
        self.assertFalse(conts & names)
        self.assertFalse(any(c.endswith('_t') or c.endswith('_list') for c in conts if c.startswith('t_')))

    def test_allof_ref_to_primitive_with_constraints(self):
        api = model_of(BASE + """\
x-pontes-api: t
components:
  schemas:
    Cpf: {type: string, pattern: '^[0-9]{11}$', description: Tax id}
    Kind: {type: string, enum: [a, b]}
    P:
      type: object
      properties:
        cpf:
          allOf: [{$ref: '#/components/schemas/Cpf'}, {description: The CPF, maxLength: 11}]
        kind:
          allOf: [{$ref: '#/components/schemas/Kind'}, {description: Which}]
        day:
          allOf: [{type: string}, {format: date}]
        n:
          allOf: [{type: integer, format: int32}, {minimum: 1}]
""")
        f = {x.json_name: x for x in api.messages[0].fields}
        self.assertEqual(f['cpf'].type.kind, 'string')
        self.assertEqual(f['cpf'].description, 'The CPF')
        self.assertEqual(f['kind'].type.kind, 'enum')
        self.assertIs(f['kind'].type.named, api.enums[0])
        self.assertEqual((f['day'].type.kind, f['day'].type.fmt), ('string', 'date'))
        self.assertEqual(f['n'].type.kind, 'int32')

    def test_allof_of_unrelated_primitives_is_still_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SpecError) as cm:
                build_model(Document(spec(tmp, BASE + """\
components:
  schemas:
    A: {type: string}
    B: {type: integer}
    C: {allOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}
""")))
            self.assertIn('allOf of non-object schemas', cm.exception.message)

    def test_jose_bodies_are_text(self):
        api = model_of("""\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
paths:
  /s:
    post:
      operationId: send
      requestBody:
        required: true
        content:
          application/jose: {schema: {type: object, properties: {sub: {type: string}}}}
      responses:
        "200":
          description: ok
          content: {application/jwt: {schema: {type: string}}}
""")
        op = api.operations[0]
        self.assertEqual(len(op.bodies), 1)
        self.assertEqual(op.bodies[0].body_kind, 'PONTES_BODY_TEXT')
        self.assertTrue(op.bodies[0].root.text)
        self.assertIs(op.success, op.bodies[0].root)
        self.assertEqual(op.accept, 'application/jwt')
        self.assertTrue(any('claims' in w and 'not checked' in w for w in api.warnings))

    def test_required_body_without_supported_media_is_not_generated(self):
        api = model_of("""\
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /x:
    post:
      operationId: onlyXml
      requestBody: {required: true, content: {application/xml: {schema: {type: object}}}}
      responses: {"204": {description: ok}}
""")
        self.assertEqual(api.operations, [])
        self.assertTrue(any("'onlyXml' is not generated" in w and '#/paths/~1x/post' in w for w in api.warnings))

    def test_2xx_of_several_types_is_a_result(self):
        api = model_of(BASE.replace('paths: {}\n', '') + """\
x-pontes-api: t
paths:
  /r:
    get:
      operationId: getR
      responses:
        "200": {description: a, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}
        "201": {description: a, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}
        "202": {description: b, content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}
        2XX: {description: b, content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}
components:
  schemas:
    A: {type: object, properties: {a: {type: string}}}
    B: {type: object, properties: {b: {type: string}}}
""")
        op = api.operations[0]
        self.assertEqual([(m, c, r.name, st) for m, c, r, st, _ in op.results],
                         [('a', 'T_GET_R_RESULT_A', 'A', [200, 201]), ('b', 'T_GET_R_RESULT_B', 'B', [202, 2])])
        self.assertFalse(any('not decoded' in w for w in api.warnings))
        self.assertIs(op.responses[2].root, op.results[1][2])  # every response keeps its type

    def test_schema_and_property_examples_become_vectors(self):
        api = model_of(BASE + """\
x-pontes-api: t
components:
  schemas:
    Money:
      type: object
      required: [amount]
      properties:
        amount: {type: number, example: 1.5}
        currency: {type: string, enum: [BRL], example: BRL}
      example: {amount: 2, currency: BRL}
    Person:
      type: object
      required: [name, money]
      properties:
        name: {type: string, example: Ana}
        money: {$ref: '#/components/schemas/Money'}
        born: {type: string, format: date, example: '2024-02-30'}
        age: {type: integer, example: '12'}
      examples:
        - {name: Rui, money: {amount: 1}}
        - {name: 7, money: {amount: 1}}
        - {name: Rui, money: {amount: 1}, extra: 1}
    NoRequiredExample:
      type: object
      required: [id]
      properties:
        id: {type: string}
        note: {type: string, example: hi}
""")
        ex = {e.name: e.json for e in api.examples}
        self.assertEqual(ex['schema Money example'], '{"amount":2,"currency":"BRL"}')
        self.assertEqual(ex['schema Money property examples'], '{"amount":1.5,"currency":"BRL"}')
        self.assertEqual(ex['schema Person examples/0'], '{"name":"Rui","money":{"amount":1}}')
        # the $ref'd schema's own example fills the member; invalid members are left out
        self.assertEqual(ex['schema Person property examples'], '{"name":"Ana","money":{"amount":2,"currency":"BRL"}}')
        self.assertNotIn('schema Person examples/1', ex)
        self.assertNotIn('schema NoRequiredExample property examples', ex)
        w = '\n'.join(api.warnings)
        self.assertIn('#/components/schemas/Person/examples/1: schema example does not match', w)
        self.assertIn("unknown member 'extra'", w)
        self.assertIn('#/components/schemas/Person/properties/born/example: property example does not match', w)
        self.assertIn('not a date', w)
        self.assertIn('#/components/schemas/Person/properties/age/example', w)

    def test_unsupported_constructs_warn(self):
        api = model_of("""\
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: a
      parameters:
        - {name: filter, in: query, schema: {type: object, properties: {x: {type: string}}}}
        - {name: ids, in: query, schema: {type: array, items: {type: integer}}}
      responses:
        "200": {description: csv, content: {text/csv: {schema: {type: string}}}}
  /b:
    post:
      operationId: b
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {x: {type: string}}}
            examples: {far: {externalValue: 'http://example.com/x.json'}}
          application/problem+json: {schema: {type: object, properties: {y: {type: string}}}}
      responses: {"204": {description: ok}}
webhooks:
  ping:
    post:
      requestBody: {content: {text/plain: {schema: {type: string}}}}
      responses: {"200": {description: ok}}
components:
  schemas:
    N: {type: object, properties: {a: {type: string}}, not: {required: [b]}}
    M: {type: object, properties: {a: {type: string}}, additionalProperties: {type: integer}}
""")
        w = '\n'.join(api.warnings)
        for needle in ("#/paths/~1a/get/parameters/0/schema: parameter 'filter' is an object",
                       "#/paths/~1a/get/parameters/1/schema/items: parameter 'ids': integer items",
                       '#/paths/~1a/get/responses/200: the 200 body (text/csv) is not JSON: it is not decoded',
                       '/examples/far: externalValue examples are not fetched',
                       "application~1problem+json: a second json media type with another schema",
                       "#/webhooks/ping/post/requestBody/content: webhook 'ping' has no JSON body",
                       "#/components/schemas/N/not: 'not' is not supported",
                       '#/components/schemas/M/additionalProperties: additionalProperties next to properties'):
            self.assertIn(needle, w)
        self.assertIn('The 200 body (text/csv) is not decoded.', api.operations[0].notes)

    def test_public_fixture_generates(self):
        src = os.path.join(ROOT, 'tests', 'generator', 'fixtures', 'public_constructs.yaml')
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([sys.executable, GEN, src, '--out', tmp, '--prefix', 'pub'], capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('#/components/schemas/Person/examples/1: schema example does not match', r.stderr)
            with open(os.path.join(tmp, 'include', 'pontes', 'pub.h'), encoding='utf-8') as f:
                h = ' '.join(f.read().split())  # prototypes may be wrapped
            self.assertIn('int) pub_get_report(pub_client *c, const char *id, pub_get_report_result *out);', h)
            self.assertIn('static inline int pub_item_array2_append(pub_item_array2 *l, pub_item *v)', h)
            self.assertNotIn('legacy_xml', h)
            self.assertNotIn('_list_t', h)


class Bodies(unittest.TestCase):
    """x-pontes-envelope (validated, emitted on 2xx responses), x-pontes-errors date, secret members."""

    ENV = BASE.replace('paths: {}\n', '') + """\
x-pontes-api: t
x-pontes-errors: {code: Message, message: Message, requestId: ErrorID, date: ErrorDate}
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Res'}}}
        '400':
          description: bad
          content: {application/json: {schema: {$ref: '#/components/schemas/Res'}}}
components:
  schemas:
    Base:
      type: object
      x-pontes-envelope: %s
      properties:
        returnCode: {type: string}
        returnMsg: {type: string}
        outputData: {type: object, properties: {n: {type: integer}}}
    Res:
      allOf:
      - $ref: '#/components/schemas/Base'
      - type: object
        properties: {extra: {type: string}}
"""

    def error(self, env):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SpecError) as cm:
                build_model(Document(spec(tmp, self.ENV % env)))
            return cm.exception

    def test_envelope_validation(self):
        e = self.error('{code: retCode, message: returnMsg, success: "0"}')
        self.assertEqual(e.pointer, '#/components/schemas/Base/x-pontes-envelope/code')
        self.assertIn("x-pontes-envelope code 'retCode' is not a property of the schema", e.message)
        self.assertIn('returnCode', e.message)  # the properties are listed
        e = self.error('{code: returnCode, message: msg, success: "0"}')
        self.assertEqual(e.pointer, '#/components/schemas/Base/x-pontes-envelope/message')
        e = self.error('{code: outputData, success: "0"}')
        self.assertIn('must be a string or a number', e.message)
        e = self.error('{message: returnMsg, success: "0"}')
        self.assertIn('needs code', e.message)
        e = self.error('{code: returnCode, success: [0]}')
        self.assertEqual(e.pointer, '#/components/schemas/Base/x-pontes-envelope/success')
        e = self.error('{code: returnCode, success: true}')
        self.assertIn('success must be', e.message)
        e = self.error('{code: returnCode, success: "0", ok: 1}')
        self.assertIn("unknown x-pontes-envelope key 'ok'", e.message)
        e = self.error('[returnCode]')
        self.assertIn('must be a mapping', e.message)

    def generated_c(self, tmp, text):
        p = spec(tmp, text)
        out = os.path.join(tmp, 'o')
        r = subprocess.run([sys.executable, GEN, p, '--out', out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        srcs = [os.path.join(dp, n) for dp, _, ns in os.walk(out) for n in ns if n.endswith('.c')]
        text = ''
        for x in srcs:
            with open(x, encoding='utf-8') as fh:
                text += fh.read()
        return ' '.join(text.split())

    def test_envelope_through_allof_on_2xx_only(self):
        with tempfile.TemporaryDirectory() as tmp:
            api = build_model(Document(spec(tmp, self.ENV % '{code: returnCode, message: returnMsg, success: 0}')))
            res = [m for m in api.messages if m.name == 'Res'][0]
            self.assertEqual(res.envelope, {'code': 'returnCode', 'message': 'returnMsg', 'success': '0'})
            self.assertEqual(api.error_model['date'], 'ErrorDate')
            c = self.generated_c(tmp, self.ENV % '{code: returnCode, message: returnMsg, success: 0}')
            self.assertIn('static const pontes_envelope_desc t_res__envelope = { "returnCode", "returnMsg", "0" };', c)
            self.assertIn('{ 200, &t_res__type, &t_res__envelope }', c)
            self.assertIn('{ 400, &t_res__type, NULL }', c)
            self.assertNotIn('t_base__envelope', c)  # no response uses Base: no unused descriptor
            self.assertIn('"ErrorID", NULL, "ErrorDate", NULL }', c)

    def test_secret_flag(self):
        text = BASE + """\
x-pontes-api: t
components:
  schemas:
    Pw: {type: string, format: password}
    Creds:
      type: object
      properties:
        user: {type: string, x-pontes-secret: true}
        password: {type: string, format: password}
        viaRef: {$ref: '#/components/schemas/Pw'}
        notSecret: {type: string, format: password, x-pontes-secret: false}
        month: {type: string}
"""
        with tempfile.TemporaryDirectory() as tmp:
            api = build_model(Document(spec(tmp, text)))
            f = {x.json_name: x.secret for x in [m for m in api.messages if m.name == 'Creds'][0].fields}
            self.assertEqual(f, {'user': True, 'password': True, 'viaRef': True, 'notSecret': False, 'month': False})
            c = self.generated_c(tmp, text)
            self.assertIn('{ "user", PONTES_F_SECRET,', c)
            self.assertIn('{ "password", PONTES_F_SECRET,', c)
            self.assertIn('{ "month", 0,', c)
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SpecError) as cm:
                build_model(Document(spec(tmp, text.replace('x-pontes-secret: true', 'x-pontes-secret: "yes"'))))
            self.assertEqual(cm.exception.pointer, '#/components/schemas/Creds/properties/user/x-pontes-secret')


class FileRules(unittest.TestCase):
    """x-pontes-file {max_bytes, magic}: validated, and emitted as a pontes_file_type."""

    def spec_text(self, rule, fmt='binary'):
        return BASE + """\
components:
  schemas:
    Up:
      type: object
      properties:
        file: {type: string, format: %s, x-pontes-file: %s}
""" % (fmt, rule)

    def error(self, rule, fmt='binary'):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(SpecError) as cm:
                build_model(Document(spec(tmp, self.spec_text(rule, fmt))))
            return cm.exception

    def test_bad_max_bytes(self):
        for bad in ('-1', '0', '"20MB"', 'true', '1.5'):
            e = self.error('{max_bytes: %s}' % bad)
            self.assertEqual(e.pointer, '#/components/schemas/Up/properties/file/x-pontes-file/max_bytes', bad)
            self.assertIn('max_bytes must be a positive integer', e.message)

    def test_bad_magic_unknown_key_and_not_a_file(self):
        e = self.error('{magic: ""}')
        self.assertIn('magic must be a non-empty string', e.message)
        e = self.error('{max_byte: 10}')
        self.assertIn("unknown x-pontes-file key 'max_byte'", e.message)
        e = self.error('{max_bytes: 10}', fmt='date')
        self.assertIn('applies to a file', e.message)
        e = self.error('[10]')
        self.assertEqual(e.pointer, '#/components/schemas/Up/properties/file/x-pontes-file')

    def test_rule_emitted(self):
        with tempfile.TemporaryDirectory() as tmp:
            api = build_model(Document(spec(tmp, self.spec_text("{max_bytes: 20971520, magic: '%PDF-'}", 'byte'))))
            f = [m for m in api.messages if m.name == 'Up'][0].fields[0]
            self.assertEqual(f.file_rule, (20971520, b'%PDF-'))
            out = os.path.join(tmp, 'o')
            p = os.path.join(tmp, 's.yaml')
            r = subprocess.run([sys.executable, GEN, p, '--out', out], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            srcs = [os.path.join(dp, n) for dp, _, ns in os.walk(out) for n in ns if n.endswith('.c')]
            text = ''
            for x in srcs:
                with open(x, encoding='utf-8') as fh:
                    text += fh.read()
            text = ' '.join(text.split()).replace('( ', '(')
            self.assertIn('PONTES_T_FILE_RULE, sizeof(pontes_bytes)', text)
            self.assertIn('UINT64_C(20971520), "%PDF-", 5', text)


if __name__ == '__main__':
    unittest.main()
