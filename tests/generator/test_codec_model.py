"""Generator side of the codec constructs of issue 8: numbers that may travel as strings,
date-only text in date-time members, member names that differ only in case, and the
x-pontes-status-code / x-pontes-empty-success root extensions (errors carry JSON pointers)."""
import os
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen.emit import View  # noqa: E402
from pontes_gen.loader import Document, SpecError  # noqa: E402
from pontes_gen.model import build_model, check_value  # noqa: E402

HEAD = """\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
paths: {}
"""


def model(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 's.yaml')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(text))
        return build_model(Document(path))


def fields(api, name):
    m = next(x for x in api.messages if x.name == name)
    return {f.json_name: f for f in m.fields}


class NumbersAsStrings(unittest.TestCase):
    def api(self):
        return model(HEAD + """\
components:
  schemas:
    N:
      type: object
      properties:
        a: {type: [integer, string], format: int32, pattern: '^-?[0-9]+$'}
        b: {type: [string, integer], pattern: '^\\d+$'}
        c: {type: [number, string], pattern: '^-?[0-9]+(\\.[0-9]+)?$'}
        d: {type: [integer, string, 'null'], format: int32, pattern: '^[0-9]+$'}
        noPattern: {type: [integer, string]}
        fixedWidth: {type: [integer, string], pattern: '^[0-9]{6}$'}
        letters: {type: [integer, string], pattern: '^[A-Z]+$'}
        list: {type: array, items: {type: [integer, string], format: int32, pattern: '^[0-9]+$'}}
""")

    def test_kinds(self):
        f = fields(self.api(), 'N')
        self.assertEqual(f['a'].type.kind, 'int32_str')
        self.assertEqual(f['b'].type.kind, 'int64_str')   # no format: int64
        self.assertEqual(f['c'].type.kind, 'double_str')
        self.assertEqual(f['d'].type.kind, 'int32_str')
        self.assertTrue(f['d'].nullable)
        # a string that may be any text, or a fixed-width code whose zeros matter: a union, as before
        for k in ('noPattern', 'fixedWidth', 'letters'):
            self.assertEqual(f[k].type.kind, 'union', k)
        self.assertEqual(f['list'].type.elem.kind, 'int32_str')
        self.assertEqual(f['list'].type.cname, 'pontes_int32_wire_list')

    def test_descriptors(self):
        api = self.api()
        v = View(api)
        f = fields(api, 'N')
        self.assertEqual(v.desc(f['a'].type), '&pontes_type_int32_or_string')
        self.assertEqual(v.ctype(f['a'].type), 'int32_t')
        self.assertIn('PONTES_F_WIRE_FORM', v.field_flags(f['a']))
        self.assertNotIn('PONTES_F_WIRE_FORM', v.field_flags(f['list']))

    def test_examples_checked(self):
        f = fields(self.api(), 'N')
        t = f['a'].type
        self.assertIsNone(check_value(t, '1234'))
        self.assertIsNone(check_value(t, 1234))
        self.assertIsNone(check_value(t, '-2147483648'))
        self.assertIn('range', check_value(t, '2147483648'))
        self.assertIn('not a number', check_value(t, '12a'))
        self.assertIn('not a number', check_value(t, ''))
        self.assertIsNone(check_value(f['c'].type, '12.5'))
        self.assertIn('not a number', check_value(f['c'].type, '12,5'))

    def test_date_only_in_date_time(self):
        api = model(HEAD + """\
components:
  schemas:
    D: {type: object, properties: {at: {type: string, format: date-time}}}
""")
        t = fields(api, 'D')['at'].type
        self.assertIsNone(check_value(t, '2028-12-31'))
        self.assertIsNone(check_value(t, '2026-01-13T10:00:00Z'))
        self.assertIsNotNone(check_value(t, '2028-12-32'))
        self.assertIsNotNone(check_value(t, '2028-12-31T'))


class MemberNames(unittest.TestCase):
    def test_case_only_differences_are_distinct_and_deterministic(self):
        text = HEAD + """\
components:
  schemas:
    P:
      type: object
      properties:
        processUniqueId: {type: string}
        processUniqueID: {type: string}
        PROCESS_UNIQUE_ID: {type: string}
        total: {type: [integer, string], pattern: '^[0-9]+$'}
        wireTotal: {type: integer}
        hasTotal: {type: integer}
"""
        names = [f.cname for f in next(m for m in model(text).messages if m.name == 'P').fields]
        self.assertEqual(names, ['process_unique_id', 'process_unique_id_2', 'process_unique_id_3', 'total',
                                 'wire_total_2', 'has_total_2'])
        again = [f.cname for f in next(m for m in model(text).messages if m.name == 'P').fields]
        self.assertEqual(names, again)

    def test_wire_member_does_not_take_an_earlier_name(self):
        names = [f.cname for f in next(m for m in model(HEAD + """\
components:
  schemas:
    P:
      type: object
      properties:
        wireN: {type: integer}
        n: {type: [integer, string], pattern: '^[0-9]+$'}
""").messages if m.name == 'P').fields]
        self.assertEqual(names, ['wire_n', 'n_2'])  # n's wire member would be wire_n: n becomes n_2


class RootExtensions(unittest.TestCase):
    SC = """\
x-pontes-status-code:
  member: operationStatus.operationStatusCode
  message: operationStatus.operationStatusMessage
  parts: [{name: category, digits: 2}, {name: field, digits: 2}, {name: error, digits: 2}]
"""

    def test_status_code(self):
        api = model(HEAD + self.SC + 'x-pontes-empty-success: true\n')
        self.assertEqual(api.status_code['parts'], [('category', 2), ('field', 2), ('error', 2)])
        self.assertEqual(api.status_code['length'], 6)
        self.assertTrue(api.empty_success)
        # no x-pontes-errors: the provider errors are read from the status code's members
        self.assertEqual(api.error_model['code'], 'operationStatus.operationStatusCode')
        self.assertEqual(api.error_model['message'], 'operationStatus.operationStatusMessage')
        self.assertTrue(View(api).error_model().endswith('&t_status_code'))
        plain = model(HEAD)
        self.assertIsNone(plain.status_code)
        self.assertFalse(plain.empty_success)

    def error(self, text):
        with self.assertRaises(SpecError) as cm:
            model(HEAD + text)
        return cm.exception

    def test_errors_have_pointers(self):
        e = self.error("x-pontes-status-code: {member: a.b, parts: [{name: x, digits: 0}]}\n")
        self.assertEqual(e.pointer, '#/x-pontes-status-code/parts/0/digits')
        e = self.error("x-pontes-status-code: {member: a.b, parts: [{name: x, digits: 2}, {name: x, digits: 2}]}\n")
        self.assertEqual(e.pointer, '#/x-pontes-status-code/parts/1/name')
        e = self.error("x-pontes-status-code: {parts: [{name: x, digits: 2}]}\n")
        self.assertEqual(e.pointer, '#/x-pontes-status-code/member')
        e = self.error("x-pontes-status-code: {member: a, parts: []}\n")
        self.assertEqual(e.pointer, '#/x-pontes-status-code/parts')
        e = self.error("x-pontes-status-code: {member: a, parts: [{name: '1x', digits: 2}]}\n")
        self.assertEqual(e.pointer, '#/x-pontes-status-code/parts/0/name')
        e = self.error("x-pontes-status-code: {member: a, parts: [{name: x, digits: 2}], extra: 1}\n")
        self.assertEqual(e.pointer, '#/x-pontes-status-code/extra')
        e = self.error("x-pontes-empty-success: yes please\n")
        self.assertEqual(e.pointer, '#/x-pontes-empty-success')


if __name__ == '__main__':
    unittest.main()
