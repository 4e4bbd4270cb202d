"""Readable generated docs: every spec in specs/ and every fixture in tests/generator/fixtures/
is regenerated into a temporary directory; its .h/.c must have no line over 110 characters
(bar an unbreakable token), no '* *' artefact of collapsed comment lines, no '§' reference to
a file that does not ship, and the multi-paragraph descriptions of docs_paragraphs.yaml must
keep their paragraph breaks and list items. The Markdown reference must cover every
operation and type."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(ROOT, 'generator', 'pontes-gen')
LIMIT = 110
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen.layout import layout_c  # noqa: E402
from pontes_gen.model import c_comment  # noqa: E402


def specs():
    out = sorted(glob.glob(os.path.join(ROOT, 'specs', '*.yaml')))
    out += sorted(glob.glob(os.path.join(HERE, 'fixtures', '*.yaml')))
    return out


def unbreakable(line):
    """A line that cannot be wrapped within the limit: one token is too long by itself."""
    lead = len(line) - len(line.lstrip(' /*'))
    return any(lead + len(tok) > 100 - 3 for tok in line.split())


class GeneratedDocs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='pontes-docs-test.')
        cls.out = {}
        for spec in specs():
            name = os.path.splitext(os.path.basename(spec))[0]
            out = os.path.join(cls.tmp, name)
            r = subprocess.run([sys.executable, GEN, spec, '--out', out, '--quiet',
                                '--abi-lock', os.path.join(cls.tmp, name + '.abi.json')],
                               capture_output=True, text=True)
            if r.returncode != 0 and 'unrecognized arguments: --abi-lock' in r.stderr:
                r = subprocess.run([sys.executable, GEN, spec, '--out', out, '--quiet'],
                                   capture_output=True, text=True)
            if r.returncode != 0:
                raise AssertionError(f'pontes-gen failed on {spec}:\n{r.stderr}')
            cls.out[name] = out

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def files(self, exts=('.h', '.c')):
        for name, out in sorted(self.out.items()):
            for dirpath, _, names in os.walk(out):
                for n in sorted(names):
                    if n.endswith(exts):
                        yield name, os.path.join(dirpath, n)

    def test_every_spec_generated(self):
        self.assertIn('eccor-fgts', self.out)
        self.assertIn('docs_paragraphs', self.out)

    def test_no_long_lines(self):
        bad = []
        for name, path in self.files():
            with open(path, encoding='utf-8') as f:
                for i, line in enumerate(f.read().split('\n'), 1):
                    if len(line) > LIMIT and not unbreakable(line):
                        bad.append(f'{name}/{os.path.basename(path)}:{i}: {len(line)} chars: {line[:120]}')
        self.assertEqual(bad, [], '\n'.join(bad[:40]))

    def test_no_collapsed_comment_artefacts(self):
        bad = []
        for name, path in self.files():
            with open(path, encoding='utf-8') as f:
                for i, line in enumerate(f.read().split('\n'), 1):
                    if '* *' in line or '\x1e' in line:
                        bad.append(f'{name}/{os.path.basename(path)}:{i}: {line[:120]}')
        self.assertEqual(bad, [], '\n'.join(bad[:40]))

    def test_no_section_references(self):
        bad = []
        for name, path in self.files(('.h', '.md')):
            with open(path, encoding='utf-8') as f:
                for i, line in enumerate(f.read().split('\n'), 1):
                    if '§' in line:
                        bad.append(f'{name}/{os.path.basename(path)}:{i}: {line[:120]}')
        self.assertEqual(bad, [], '\n'.join(bad[:40]))

    def header(self, name):
        out = self.out[name]
        (h,) = glob.glob(os.path.join(out, 'include', 'pontes', '*.h'))
        with open(h, encoding='utf-8') as f:
            return f.read()

    def block_before(self, text, decl):
        """The doc comment right before the line that contains decl."""
        i = text.index(decl)
        j = text.rindex('/**', 0, i)
        return text[j:text.index('*/', j) + 2]

    def test_paragraph_breaks_kept(self):
        h = self.header('docs_paragraphs')
        # schema description: two paragraphs -> two paragraphs in the comment
        doc = self.block_before(h, 'struct docs_layout_widget_with_an_extraordinarily_long_schema_name_for_wrapping {')
        self.assertRegex(doc, r'First paragraph of the schema description\.\n \*\n \* Second paragraph')
        # operation description
        doc = self.block_before(h, 'docs_layout_get_widget_with_an_extraordinarily_long_'
                                'operation_identifier_for_wrapping(')
        self.assertRegex(doc, r'header comment, wrapped by words\.\n \*\n \* The operation\'s second paragraph')
        self.assertNotIn('*/ must', doc)          # a '*/' in the text cannot end the comment
        self.assertNotRegex(doc, r'\n \* (@param 1\.|1\.) ')  # no markup at a line start
        # member description: both paragraphs, the break kept
        self.assertRegex(h, r'member comment\.\n     \*\n     \*  Member description, second paragraph\.')
        # enum value with two paragraphs: moved above the enumerator, break kept
        self.assertRegex(h, r'/\*\* "Red" — Red, first paragraph\.\n     \*\n     \*  Red, second paragraph\. \*/\n'
                            r'    DOCS_LAYOUT_WIDGET_COLOUR_RED = 1,')
        # the parameter's second paragraph is not lost
        self.assertIn('A second paragraph of the parameter description.', ' '.join(h.split()))
        # file comment: hard-wrapped lines joined, paragraphs and list items kept
        self.assertRegex(h, r'hard-wrapped in the spec so that the generator\n \*   must join')
        self.assertIn(' *\n *   Second paragraph, with a list:\n *   - first item', h)
        self.assertIn(' *   1. a numbered item\n *   2. another numbered item\n', h)
        # a list item's continuation hangs under its text; a URL is not split
        self.assertRegex(h, r'\n \*   - first item[^\n]*\n \*     text, like this one')
        self.assertIn('https://example.test/a/very/long/path/that/should/never/be/split/anywhere/at/all?with=query', h)
        self.assertIn('`code span that has several words in it`', h)

    def test_doc_lines_within_100(self):
        """Doc comment lines wrap at 100 columns (bar an unbreakable word)."""
        bad = []
        for name in self.out:
            in_c = False
            for i, line in enumerate(self.header(name).split('\n'), 1):
                starts = in_c
                if '/*' in line and '*/' not in line.split('/*', 1)[1]:
                    in_c = True
                if '*/' in line:
                    in_c = False
                if (starts or line.lstrip().startswith('/*')) and len(line) > 100 and not unbreakable(line):
                    bad.append(f'{name}:{i}: {line}')
        self.assertEqual(bad, [], '\n'.join(bad[:40]))

    def test_compiles(self):
        """The layout pass only moves whitespace and comments: the fixture still compiles."""
        cc = shutil.which(os.environ.get('CC', 'cc')) or shutil.which('gcc')
        if not cc:
            self.skipTest('no C compiler')
        out = self.out['docs_paragraphs']
        r = subprocess.run([cc, '-std=c11', '-fsyntax-only', '-I', os.path.join(ROOT, 'runtime', 'include'),
                            '-I', os.path.join(out, 'include')] + glob.glob(os.path.join(out, 'src', '*.c')),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_markdown_reference(self):
        for name, out in self.out.items():
            mds = [m for m in glob.glob(os.path.join(out, '*.md')) if not m.endswith('-coverage.md')]
            self.assertEqual(len(mds), 1, name)
            self.assertEqual(len(glob.glob(os.path.join(out, '*-coverage.md'))), 1, name)  # the provenance report
            with open(mds[0], encoding='utf-8') as f:
                md = f.read()
            with open(glob.glob(os.path.join(out, 'include', 'pontes', '*.h'))[0], encoding='utf-8') as f:
                h = f.read()
            # every operation function and every struct of the header has a section
            for fn in re.findall(r'^\w+_EXTERN\(int\) (\w+)\(\w+_client \*c', h, re.M):
                self.assertTrue(f'int {fn}(' in md, f'{name}: {fn} missing from the Markdown reference')
            for st in re.findall(r'^struct (\w+) \{', h, re.M):
                self.assertTrue(f'### `{st}`' in md, f'{name}: {st} missing from the Markdown reference')
            self.assertIn('## Errors', md)
            self.assertIn('## Authentication', md)

    def test_markdown_example_eccor(self):
        with open(os.path.join(self.out['eccor-fgts'], 'eccor.md'), encoding='utf-8') as f:
            md = f.read()
        sec = md[md.index('### `eccor_get_natural_person`'):md.index('### `eccor_update_natural_person`')]
        self.assertIn('| `personId` → `person_id` | path | `const char *` | yes |', sec)
        self.assertIn('| 403 (error) | [`eccor_api_error`]', sec)
        self.assertIn('Auth: `uy3Auth`.', sec)
        self.assertIn('int rc = eccor_get_natural_person(c, "<personId>", &out);', sec)
        self.assertIn('| `ECCOR_CIVIL_STATUS_MARRIED` | `Married` |', md)


class CommentFilter(unittest.TestCase):
    def test_wrap_and_paragraphs(self):
        text = 'one two three four five six\nseven eight\n\n* item one two three four\n* item two'
        self.assertEqual(c_comment(text, 20), ['one two three four', 'five six seven eight', '',
                                               '- item one two three', '  four', '- item two'])

    def test_long_word_overflows_alone(self):
        self.assertEqual(c_comment('a ' + 'x' * 30 + ' b', 10), ['a', 'x' * 30, 'b'])

    def test_no_markup_at_line_start(self):
        lines = c_comment('aaaa bbbb cccc - dddd', 14)
        self.assertFalse(any(l.startswith('- ') for l in lines), lines)

    def test_layout_moves_long_trailing_comment(self):
        src = '    int x; /**< ' + 'word ' * 30 + '*/'
        out = layout_c(src).split('\n')
        self.assertTrue(all(len(l) <= 100 for l in out), out)
        self.assertEqual(out[-1], '    int x;')
        self.assertTrue(out[0].startswith('    /** word'))

    def test_layout_breaks_code_outside_literals(self):
        src = 'int f(' + ', '.join(f'int a{i}' for i in range(20)) + ', const char *s = "a, b, c");'
        out = layout_c(src).split('\n')
        self.assertTrue(all(len(l) <= 100 for l in out), out)
        self.assertEqual(' '.join(''.join(out).split()), ' '.join(src.split()))
        self.assertTrue(any('"a, b, c"' in l for l in out))


if __name__ == '__main__':
    unittest.main()
