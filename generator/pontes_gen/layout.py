"""Layout pass over generated C text: keeps lines within WIDTH columns.

Templates render code and trailing comments freely; this pass, run on every generated .h/.c:
- strips trailing blanks;
- moves a trailing comment (`code; /**< text */`) that makes its line too long, or that holds
  several paragraphs (comment_inline's '\\x1e' separator), into a wrapped block comment
  above the code (`/** text */` documents the next declaration, so Doxygen reads the same);
- breaks a code line that is still too long after a top-level-or-nested ', ' (never inside a
  string or character literal), continuation lines indented 4 more; a lone string literal
  that is too long is split into adjacent literals.
Comment lines and preprocessor lines are left as they are (comments come wrapped from
model.c_comment). Only layout changes: the C tokens are the same.
"""
import re

from .model import _LINE_START_HAZARD, _atoms, wrap_paragraph

WIDTH = 100
SEP = '\x1e'


def _scan(line, in_comment):
    """Positions of a line: returns (code_end, comment_start, ends_in_comment, commas) where
    commas are the indices just after a ', ' that is outside literals and comments, and
    comment_start is where a trailing /* comment begins (or None)."""
    i, n = 0, len(line)
    commas, comment_start = [], None
    quote = None
    while i < n:
        c = line[i]
        if in_comment:
            j = line.find('*/', i)
            if j < 0:
                return n, comment_start, True, commas
            i = j + 2
            in_comment = False
            continue
        if quote:
            if c == '\\':
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in '"\'':
            quote = c
        elif line.startswith('//', i):
            if comment_start is None:
                comment_start = i
            return n, comment_start, False, commas
        elif line.startswith('/*', i):
            if comment_start is None:
                comment_start = i
            in_comment = True
            i += 2
            continue
        elif comment_start is None and i + 1 < n and (
                (c in ',{' and line[i + 1] == ' ') or (c == '(' and line[i + 1] != ')')
                or (c == '=' and line[i + 1] == ' ' and line[i - 1:i] == ' ')):
            commas.append(i + 1)  # a place to break the line
        i += 1
    return n, comment_start, in_comment, commas


def _block_comment(indent, doc, text, width):
    """A wrapped comment above a declaration: /** a */ or /** a\\n *  b */ (/* */ if not doc)."""
    opener = '/** ' if doc else '/* '
    cont = ' *  ' if doc else ' * '
    avail = width - len(indent) - len(opener)
    lines = []
    for para in text.split(SEP):
        lines.extend(wrap_paragraph(para.strip(' ') if not para.startswith(' ') else para, avail))
    while lines and lines[-1] == '':
        lines.pop()
    out = []
    for k, l in enumerate(lines or ['']):
        prefix = indent + (opener if k == 0 else cont)
        out.append((prefix + l).rstrip() if l else prefix.rstrip())
    if len(out[-1]) + 3 <= width:
        out[-1] += ' */'
    else:
        out.append(indent + ' */')
    return out


def _rewrap_comment_line(line, width):
    """A too-long line inside a block comment (' * text', '/** text', ' *  text */'): the text
    word-wrapped under the same prefix; '@param x ...', 'Note: ...' and list items hang."""
    m = re.match(r'^(\s*(?:/\*\*<?|/\*|\*)?\s*)(.*?)(\s*\*/)?$', line)
    prefix, body, close = m.group(1), m.group(2), m.group(3) or ''
    if not body:
        return [line]
    lead = prefix.replace('/**<', ' *  ').replace('/**', ' * ').replace('/*', ' *')
    h = re.match(r'^(@param\s+\S+\s+|@\w+\s+|[-*+]\s+|\d+[.)]\s+)', body)
    hang = ' ' * len(h.group(0)) if h else ''
    words = _atoms(body)
    out, cur = [], []
    for w in words:
        pre = prefix if not out else lead + hang
        if cur and len(pre + ' '.join(cur + [w])) > width:
            nxt = [w]
            if _LINE_START_HAZARD.match(w) and len(cur) > 1:
                nxt = [cur.pop(), w]  # no line starts with what reads as markup ('*', '-', '@x')
            out.append((pre + ' '.join(cur)).rstrip())
            cur = nxt
        else:
            cur.append(w)
    out.append(((prefix if not out else lead + hang) + ' '.join(cur)).rstrip())
    if close:
        if len(out[-1]) + len(close) <= width:
            out[-1] += close
        else:
            out.append(' ' * lead.index('*') + '*/' if '*' in lead else ' */')
    return out


def _split_literal(line, width):
    """A line that is one string literal (plus ',' or ';'): adjacent literals within width."""
    m = re.match(r'^(\s*)"(.*)"([^"]{0,20})$', line)
    if not m or '"' in m.group(2).replace('\\"', ''):
        return None
    indent, body, tail = m.groups()
    parts, cur, i = [], '', 0
    room = width - len(indent) - 2 - len(tail)
    while i < len(body):
        j = i + 1
        if body[i] == '\\':
            j = i + 4 if body[i + 1:i + 2].isdigit() else i + 2
        if len(cur) + (j - i) > room and cur:
            parts.append(cur)
            cur = ''
        cur += body[i:j]
        i = j
    parts.append(cur)
    out = [f'{indent}"{p}"' for p in parts]
    out[-1] += tail
    return out


def _spaces(line):
    """Indices after a space outside string/char literals (last-resort break points)."""
    out, quote, i = [], None, 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == '\\':
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in '"\'':
            quote = c
        elif c == ' ' and i and line[i - 1] != ' ':
            out.append(i + 1)
        i += 1
    return out


def _break_code(line, breaks, width, macro=False):
    """Break a code line after ', ' / '(' / '{ ' / '= ' (else after a space), continuation
    lines indented 4 more; a #define gets ' \\' continuations."""
    indent = line[:len(line) - len(line.lstrip(' '))]
    cont = indent + '    '
    room = width - (2 if macro else 0)
    spaces = _spaces(line)
    out, start, first = [], len(indent), True
    while len((indent if first else cont) + line[start:]) > room:
        prefix = indent if first else cont
        best = None
        for cands in (breaks, spaces):
            for c in cands:
                if c <= start or len(line) - c < 12:  # never leave a short tail alone
                    continue
                if len(prefix) + len(line[start:c].rstrip()) <= room:
                    best = c
            if best is not None:
                break
        if best is None:  # the first piece is too long by itself: break right after it
            best = next((c for c in breaks + spaces if c > start and len(line) - c >= 12), None)
        if best is None:
            break
        out.append(prefix + line[start:best].rstrip())
        start = best
        while start < len(line) and line[start] == ' ':
            start += 1
        first = False
    out.append((indent if first else cont) + line[start:])
    if macro:
        return [l + ' \\' for l in out[:-1]] + out[-1:]
    res = []
    for l in out:
        lit = _split_literal(l, width) if len(l) > width else None
        res.extend(lit or [l])
    return res


def layout_c(text, width=WIDTH):
    """Apply the layout pass to a generated C source or header."""
    out = []
    in_comment = in_macro = False
    for line in text.split('\n'):
        line = line.rstrip()
        if in_macro:  # a continuation line of a multi-line macro: as it is
            in_macro = line.endswith('\\')
            out.append(line)
            continue
        in_macro = line.lstrip().startswith('#') and line.endswith('\\')
        starts_in_comment = in_comment
        _, cstart, in_comment, commas = _scan(line, starts_in_comment)
        stripped = line.lstrip(' ')
        indent = line[:len(line) - len(stripped)]
        whole_comment = (cstart is not None and not line[:cstart].strip() and not in_comment
                         and line.endswith('*/') and line.count('*/') == 1)
        if whole_comment and (len(line) > width or SEP in line):  # a one-line comment: re-wrap it
            doc = stripped.startswith('/**')
            out.extend(_block_comment(indent, doc, stripped[3 if doc else 2:-2].strip(), width))
            continue
        if (starts_in_comment or whole_comment or (cstart is not None and not line[:cstart].strip())) \
                and len(line) > width:
            out.extend(_rewrap_comment_line(line, width))
            continue
        if starts_in_comment or (cstart is not None and not line[:cstart].strip()) or (
                stripped.startswith('#') and not stripped.startswith('#define ')
                and (line.endswith('\\') or not line.endswith('*/'))):
            out.append(line.replace(SEP, ' '))  # comment or preprocessor line: as it is
            continue
        code, comment = line, None
        if cstart is not None and not in_comment and line.endswith('*/'):
            code, comment = line[:cstart].rstrip(), line[cstart:]
        if comment is not None and (len(line) > width or SEP in comment):
            doc = comment.startswith('/**')
            body = comment[4 if comment.startswith(('/**<', '/*!<')) else 3 if doc else 2:-2].strip()
            out.extend(_block_comment(indent, doc, body, width))
            line = code
            _, _, _, commas = _scan(line, False)
        if cstart is not None and comment is None:
            out.append(line)  # a trailing // comment, or a comment that goes on: as it is
        elif len(line) > width and stripped.startswith('#define ') and not line.endswith('\\'):
            out.extend(_break_code(line, commas, width, macro=True))
        elif len(line) > width and not stripped.startswith('#'):
            lit = _split_literal(line, width)
            out.extend(lit if lit else _break_code(line, commas, width))
        else:
            out.append(line)
    return '\n'.join(out)
