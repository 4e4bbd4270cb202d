"""x-pontes-provenance: validation errors (pointer-located), effective provenance (own, referenced
schema, inherited, root default, unstated), per-operation member counts and totals on
fixtures/provenance.yaml, and the generated report (C table, <api>-coverage.md, ABI lock)."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GEN = os.path.join(ROOT, 'generator', 'pontes-gen')
FIXTURE = os.path.join(ROOT, 'tests', 'generator', 'fixtures', 'provenance.yaml')
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen.loader import Document, SpecError  # noqa: E402
from pontes_gen.model import build_model  # noqa: E402

SPEC = """\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
@ROOT@
paths:
  /a/{id}:
    get:
      operationId: getA
      @OP@
      parameters:
      - name: id
        in: path
        required: true
        schema: {type: string}
        @PARAM@
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A:
      type: object
      properties:
        b:
          type: string
          @PROP@
    Unused:
      type: object
      @UNUSED@
"""


def model(**marks):
    text = SPEC
    for k in ('root', 'opmark', 'parammark', 'propmark', 'unusedmark'):
        v = marks.get(k)
        text = text.replace('@' + k.replace('mark', '').upper() + '@', f'x-pontes-provenance: {v}' if v else '')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 's.yaml')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(text))
        return build_model(Document(path))


class Validation(unittest.TestCase):
    def error(self, **marks):
        with self.assertRaises(SpecError) as cm:
            model(**marks)
        return cm.exception

    def test_unknown_status(self):
        e = self.error(opmark='{status: guessed, basis: x}')
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get/x-pontes-provenance/status')
        self.assertIn("documented, partial or inferred (got 'guessed')", e.message)

    def test_missing_status(self):
        e = self.error(opmark='{source: [X]}')
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get/x-pontes-provenance')
        self.assertIn('status must be documented, partial or inferred (got None)', e.message)

    def test_partial_needs_missing(self):
        e = self.error(propmark='{status: partial, source: [API-X]}')
        self.assertEqual(e.pointer, '#/components/schemas/A/properties/b/x-pontes-provenance')
        self.assertIn('partial needs missing', e.message)

    def test_inferred_needs_basis(self):
        e = self.error(parammark='{status: inferred}')
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get/parameters/0/x-pontes-provenance')
        self.assertIn('inferred needs basis', e.message)

    def test_documented_needs_source(self):
        e = self.error(root='{status: documented}')
        self.assertEqual(e.pointer, '#/x-pontes-provenance')
        self.assertIn('needs source', e.message)

    def test_source_must_be_a_list_of_strings(self):
        e = self.error(root='{status: documented, source: https://x}')
        self.assertEqual(e.pointer, '#/x-pontes-provenance/source')
        self.assertIn('list of non-empty strings', e.message)
        e = self.error(root='{status: documented, source: [1]}')
        self.assertEqual(e.pointer, '#/x-pontes-provenance/source')

    def test_wrong_types(self):
        e = self.error(opmark='{status: partial, source: [X], missing: 3}')
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get/x-pontes-provenance/missing')
        self.assertIn('must be a non-empty string', e.message)
        e = self.error(opmark='documented')
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get/x-pontes-provenance')
        self.assertIn('must be a mapping', e.message)

    def test_unknown_key(self):
        e = self.error(opmark='{status: inferred, basis: x, sources: [X]}')
        self.assertEqual(e.pointer, '#/paths/~1a~1{id}/get/x-pontes-provenance/sources')
        self.assertIn("unknown x-pontes-provenance key 'sources'", e.message)

    def test_unreached_schema_is_checked_too(self):
        e = self.error(unusedmark='{status: inferred}')
        self.assertEqual(e.pointer, '#/components/schemas/Unused/x-pontes-provenance')


class Effective(unittest.TestCase):
    def test_unstated_without_any_mark(self):
        a = model()
        c = a.coverage[0]
        self.assertEqual(c.prov.status, 'unstated')
        self.assertIsNone(a.provenance_default)
        self.assertEqual(c.counts, {'documented': 0, 'partial': 0, 'inferred': 0, 'unstated': 3})
        self.assertEqual(a.coverage_totals, {'documented': 0, 'partial': 0, 'inferred': 0, 'unstated': 1})

    def test_root_default(self):
        a = model(root='{status: documented, source: ["https://x"]}', propmark='{status: inferred, basis: "an example"}')
        c = a.coverage[0]
        self.assertEqual((c.prov.status, c.prov.source), ('documented', ['https://x']))
        self.assertEqual(c.counts, {'documented': 2, 'partial': 0, 'inferred': 1, 'unstated': 0})
        self.assertEqual([(m.path, m.status, m.note) for m in c.members], [('response.200.b', 'inferred', 'an example')])

    def test_inferred_operation_is_inherited_partial_is_not(self):
        a = model(opmark='{status: inferred, basis: "the URL pattern"}')
        c = a.coverage[0]
        self.assertEqual(c.counts['inferred'], 3)
        self.assertEqual([m.path for m in c.members], ['path.id', 'response.200', 'response.200.b'])
        self.assertTrue(all(m.note == 'the URL pattern' for m in c.members))
        a = model(opmark='{status: partial, source: [X], missing: "the errors"}')
        c = a.coverage[0]
        self.assertEqual((c.prov.status, c.prov.note), ('partial', 'the errors'))
        self.assertEqual(c.counts, {'documented': 0, 'partial': 0, 'inferred': 0, 'unstated': 3})
        self.assertEqual(c.members, [])


class Fixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.api = build_model(Document(FIXTURE))
        cls.by = {c.op.op_id: c for c in cls.api.coverage}

    def members(self, op):
        return [(m.path, m.status) for m in self.by[op].members]

    def test_totals(self):
        self.assertEqual(self.api.coverage_totals, {'documented': 2, 'partial': 1, 'inferred': 1, 'unstated': 0})
        self.assertEqual(self.api.coverage_member_totals, {'documented': 8, 'partial': 3, 'inferred': 15, 'unstated': 0})
        self.assertEqual(sum(self.api.coverage_totals.values()), len(self.api.operations))

    def test_default_and_inferred_parameter(self):
        c = self.by['listThings']
        self.assertEqual((c.prov.status, c.prov.source), ('documented', ['https://example.com/docs']))
        # the items' schema Thing is inferred as a whole: its members inherit it, bar size (own mark)
        self.assertEqual(self.members('listThings'), [
            ('query.pageSize', 'inferred'), ('response.200[]', 'inferred'), ('response.200[].name', 'inferred'),
            ('response.200[].size', 'partial'), ('response.200[].tags', 'inferred'),
            ('response.200[].tags[].label', 'inferred')])
        self.assertEqual(c.counts, {'documented': 2, 'partial': 1, 'inferred': 5, 'unstated': 0})
        self.assertEqual(c.members[0].note, 'the pageNumber/pageSize convention of sibling lists')
        self.assertEqual(c.members[3].note, 'the unit')

    def test_partial_operation(self):
        c = self.by['createThing']
        self.assertEqual((c.prov.status, c.prov.missing, c.prov.source),
                         ('partial', 'the error responses are not documented', ['API-THINGS']))
        self.assertEqual(self.members('createThing'), [
            ('body', 'inferred'), ('body.name', 'inferred'), ('body.size', 'partial'), ('body.tags', 'inferred'),
            ('body.tags[].label', 'inferred'), ('response.201.status', 'partial')])

    def test_inferred_operation_nested(self):
        c = self.by['getThing']
        self.assertEqual((c.prov.status, c.prov.basis), ('inferred', 'the URL pattern of /things'))
        self.assertEqual(self.members('getThing'), [
            ('path.thingId', 'inferred'), ('response.200', 'inferred'), ('response.200.name', 'inferred'),
            ('response.200.extra', 'inferred'), ('response.200.extra.color', 'inferred')])
        self.assertEqual(c.counts['documented'], 1)  # known: its own mark wins over the operation's

    def test_recursive_and_allof(self):
        c = self.by['getTree']
        self.assertEqual(self.members('getTree'), [('response.200.createdAt', 'inferred')])
        self.assertEqual(c.counts, {'documented': 3, 'partial': 0, 'inferred': 1, 'unstated': 0})


class Generated(unittest.TestCase):
    def test_report_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'out')
            lock = os.path.join(tmp, 'prov.abi.json')
            r = subprocess.run([sys.executable, GEN, FIXTURE, '--out', out, '--quiet', '--abi-lock', lock,
                                '--update-abi-lock'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, 'prov-coverage.md'), encoding='utf-8') as f:
                md = f.read()
            with open(os.path.join(out, 'prov.md'), encoding='utf-8') as f:
                ref = f.read()
            with open(os.path.join(out, 'src', 'prov.c'), encoding='utf-8') as f:
                c = f.read()
            with open(os.path.join(out, 'include', 'pontes', 'prov.h'), encoding='utf-8') as f:
                h = f.read()
            with open(lock, encoding='utf-8') as f:
                abi = json.load(f)
        self.assertIn('| documented | 2 | 8 |\n| partial | 1 | 3 |\n| inferred | 1 | 15 |\n| unstated | 0 | 0 |\n'
                      '| **all** | 4 | 26 |', md)
        self.assertLess(md.index('## Totals'), md.index('## Operations'))
        self.assertIn('| [`getThing`](prov.md#prov_get_thing) | GET | `/things/{thingId}` | inferred |  | '
                      'the URL pattern of /things | 0 / 5 of 6 |', md)
        self.assertIn('| [`createThing`](prov.md#prov_create_thing) | POST | `/things` | partial | API-THINGS | '
                      'the error responses are not documented | 2 / 4 of 8 |', md)
        self.assertIn('### `listThings`', md)
        self.assertIn('| `query.pageSize` | inferred | the pageNumber/pageSize convention of sibling lists |', md)
        self.assertNotIn('### `getTree`\n\nGET `/trees` — operation documented; members: 3 documented.', md)
        self.assertIn('[prov-coverage.md](prov-coverage.md)', ref)
        self.assertIn('const pontes_coverage *prov_coverage(void) { return &prov__coverage; }', c)
        self.assertIn('{ "response.200.createdAt", PONTES_PROV_INFERRED, "the createdAt member of other APIs" },', c)
        self.assertIn('{ "getThing", "GET", "/things/{thingId}", PONTES_PROV_INFERRED,', c)
        self.assertIn('{ 0, 2, 1, 1 }, { 0, 8, 3, 15 }', c)  # totals, indexed by pontes_provenance_class
        self.assertIn('PROV_EXTERN(const pontes_coverage *) prov_coverage(void);', h)
        self.assertEqual(abi['functions']['prov_coverage'], 'const pontes_coverage *(void)')


if __name__ == '__main__':
    unittest.main()
