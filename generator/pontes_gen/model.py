"""Build the intermediate model (C-ready) from an OpenAPI 3.x document."""
import base64
import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .loader import Document, SpecError, join_pointer

C_KEYWORDS = {
    'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum',
    'extern', 'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return',
    'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void',
    'volatile', 'while', 'bool', 'true', 'false', 'NULL', 'errno', 'assert', 'offsetof', 'main',
    '_Alignas', '_Alignof', '_Atomic', '_Bool', '_Complex', '_Generic', '_Imaginary', '_Noreturn',
    '_Static_assert', '_Thread_local', 'class', 'new', 'delete', 'this', 'template', 'namespace',
}

HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
IDEMPOTENT = {'get', 'put', 'delete', 'options', 'head', 'trace'}
SCHEMA_TYPES = {'object', 'array', 'string', 'integer', 'number', 'boolean', 'null'}

# Primitive kinds: C storage type, runtime descriptor, list type provided by the runtime.
PRIMS = {
    'bool': ('bool', '&pontes_type_bool', 'pontes_bool_list'),
    'int32': ('int32_t', '&pontes_type_int32', 'pontes_int32_list'),
    'int64': ('int64_t', '&pontes_type_int64', 'pontes_int64_list'),
    'double': ('double', '&pontes_type_double', 'pontes_double_list'),
    'string': ('const char *', '&pontes_type_string', 'pontes_string_list'),
    'bytes': ('pontes_bytes', '&pontes_type_bytes', 'pontes_bytes_list'),
    'file': ('pontes_file', '&pontes_type_file', None),
    'any': ('const struct cJSON *', '&pontes_type_any', 'pontes_any_list'),
    # exact decimals (format: decimal, x-pontes-money): a JSON number / a JSON string of decimal text
    'decimal': ('pontes_decimal', '&pontes_type_decimal', 'pontes_decimal_list'),
    'decimal_string': ('pontes_decimal', '&pontes_type_decimal_string', 'pontes_decimal_list'),
    # numbers that may travel as strings (type: [integer, string] / [number, string] with a numeric
    # pattern): the C number, plus a pontes_wire_form member `wire_x` after `has_x` (WIRE_KINDS)
    'int32_str': ('int32_t', '&pontes_type_int32_or_string', 'pontes_int32_wire_list'),
    'int64_str': ('int64_t', '&pontes_type_int64_or_string', 'pontes_int64_wire_list'),
    'double_str': ('double', '&pontes_type_double_or_string', 'pontes_double_wire_list'),
}
WIRE_KINDS = {'int32_str', 'int64_str', 'double_str'}
# the string branch of type: [integer, string]: an optional sign and decimal digits, of any length
# (a fixed width such as [0-9]{6} is a code whose leading zeros matter: that stays a union)
_DIGIT_PATTERN = re.compile(r'^\^?(-\?|\[-\]\?|\[-+\]\?|\[+-\]\?)?(\[0-9\]|\\d)(\+|\*|\{[01](,\d*)?\})\$?$')
# ... of type: [number, string]: made of digit classes, signs, '.', 'e' and quantifiers only
_NUMBER_PATTERN = re.compile(r'^[\^$()\[\]0-9\\d.+*?{},|eE-]+$')


def number_string_kind(types, node):
    """The WIRE_KINDS kind of a schema `type: [integer, string]` whose pattern is a digit pattern
    (int32 with format int32, else int64), or `type: [number, string]` whose pattern is numeric;
    None for other multi-type schemas (they stay unions: a string without such a pattern may be any
    text, e.g. "")."""
    pat = node.get('pattern')
    if not isinstance(pat, str):
        return None
    if sorted(types) == ['integer', 'string'] and _DIGIT_PATTERN.match(pat):
        return 'int32_str' if node.get('format') == 'int32' else 'int64_str'
    if sorted(types) == ['number', 'string'] and _NUMBER_PATTERN.match(pat) and ('[0-9]' in pat or '\\d' in pat) \
            and not is_money(node):
        return 'double_str'
    return None
POINTER_KINDS = {'string', 'object', 'union', 'any'}
# string formats the runtime checks: format -> (descriptor key, built-in type)
CHECKED_FORMATS = {
    'date': ('date', '&pontes_type_date'),
    'date-time': ('date_time', '&pontes_type_date_time'),
    'uuid': ('uuid', '&pontes_type_uuid'),
}


def is_money(node):
    """format: decimal or x-pontes-money: true on a number/string schema: an exact pontes_decimal."""
    return isinstance(node, dict) and (node.get('format') == 'decimal' or node.get('x-pontes-money') is True)


_DECIMAL_TEXT = re.compile(r'^-?(0|[1-9][0-9]*)(\.([0-9]+))?([eE]([-+]?[0-9]+))?$')


def decimal_error(text):
    """Why text would not decode as a pontes_decimal (as runtime/src/codec.c reads it), or None."""
    m = _DECIMAL_TEXT.match(text)
    if not m:
        return 'not decimal text'
    digits = (m.group(1) + (m.group(3) or '')).lstrip('0') or '0'
    scale = len(m.group(3) or '') - int(m.group(5) or 0)
    if scale < 0:
        digits = digits + '0' * -scale if digits != '0' else '0'
        scale = 0
    lim = 2 ** 63 if text.startswith('-') else 2 ** 63 - 1
    if int(digits) > lim or scale > 38:
        return 'decimal out of range (int64 coefficient, at most 38 decimals)'
    return None


def ascii_fold(text):
    """'Simulação' -> 'Simulacao': C identifiers are ASCII; Portuguese names keep their letters."""
    text = unicodedata.normalize('NFKD', str(text))
    return ''.join(ch for ch in text if not unicodedata.combining(ch))


def words(name):
    """Split an identifier-ish string into lowercase words."""
    s = re.sub(r'[^0-9A-Za-z]+', ' ', ascii_fold(name))
    s = re.sub(r'([a-z0-9])([A-Z])', r'\1 \2', s)
    s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1 \2', s)
    return [w.lower() for w in s.split() if w]


def snake(name):
    w = words(name)
    s = '_'.join(w) if w else 'x'
    if s[0].isdigit():
        s = 'n' + s
    return s


def pascal(name):
    return ''.join(w[:1].upper() + w[1:] for w in words(name)) or 'X'


def c_ident(name):
    s = snake(name)
    return s + '_' if s in C_KEYWORDS else s


def enum_const(name):
    s = re.sub(r'[^0-9A-Za-z]+', '_', ascii_fold(name))
    s = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', s).upper().strip('_')
    if not s:
        s = 'EMPTY'
    if s[0].isdigit():
        s = 'V' + s
    return s


_LIST_ITEM = re.compile(r'^([*+-]|\d+[.)])\s+')
_BLOCK_START = re.compile(r'^([*+-]|\d+[.)]|#+)\s')
# a word that would start a list, a heading or a Doxygen command if it began a line
_LINE_START_HAZARD = re.compile(r'^([*+-]\W*|\d+[.)]|#+|[@\\]\w+)$')


def comment_paragraphs(text):
    """Logical paragraphs of a description: hard-wrapped lines are joined; '' is a paragraph
    break; list items ('- x', '* x', '1. x', normalised to '- ' for bullets) and table rows
    are entries of their own. Comment delimiters are defused."""
    if not text:
        return []
    text = str(text).replace('*/', '* /').replace('/*', '/ *').replace('\r', '')
    paras, cur = [], None
    for raw in text.split('\n'):
        line = raw.strip()
        if not line:
            if cur is not None:
                paras.append(cur)
            if paras and paras[-1] != '':
                paras.append('')
            cur = None
        elif cur is None or _BLOCK_START.match(line) or line.startswith('|'):
            if cur is not None:
                paras.append(cur)
            m = _LIST_ITEM.match(line)
            if m:  # bullets as '- ' (a '* ' item would read as a stray '* *' in a C comment)
                nest = ' ' * min(len(raw) - len(raw.lstrip(' ')), 6)
                marker = '-' if m.group(1) in '*+-' else m.group(1)
                line = nest + marker + ' ' + line[m.end():]
            cur = line
        else:
            cur += ' ' + line
    if cur is not None:
        paras.append(cur)
    while paras and paras[-1] == '':
        paras.pop()
    while paras and paras[0] == '':
        paras.pop(0)
    return paras


def _atoms(para):
    """Words of a paragraph; a `code span` that contains spaces stays one atom."""
    out = []
    for m in re.finditer(r'`[^`]*`\S*|\S+', para):
        out.append(m.group(0))
    return out


def wrap_paragraph(para, width):
    """Word-wrap one paragraph (from comment_paragraphs) to lines of at most width characters.
    A list item's continuation lines hang under its text. A code span or URL is never split
    unless it is wider than the line by itself; a word longer than the width overflows."""
    if para == '' or para.startswith('|'):
        return [para]
    lead = para[:len(para) - len(para.lstrip(' '))]
    m = _LIST_ITEM.match(para.lstrip(' '))
    hang = lead + (' ' * len(m.group(0)) if m else '')
    words = []
    for a in _atoms(para):
        if ' ' in a and len(a) > width - len(hang):
            words.extend(a.split(' '))  # a code span wider than a line: split it after all
        else:
            words.append(a)
    lines, cur = [], []

    def text(ws, first):
        return (lead if first else hang) + ' '.join(ws)

    for w in words:
        if cur and len(text(cur + [w], not lines)) > width:
            if _LINE_START_HAZARD.match(w) and len(cur) > 1:
                # do not start a line with something Markdown / Doxygen would take as markup
                nxt = [cur.pop(), w]
                lines.append(text(cur, not lines))
                cur = nxt
                continue
            lines.append(text(cur, not lines))
            cur = [w]
        else:
            cur.append(w)
    if cur:
        lines.append(text(cur, not lines))
    return lines


def c_comment(text, width=96, indent=''):
    """Safe, re-wrapped lines (at most width - len(indent) characters, bar single words that
    are longer) for a C block comment. Lines of a paragraph are joined (specs often hard-wrap
    descriptions) and re-wrapped by words; '' is a paragraph break (one, never a run); list
    items start anew and stay items."""
    out = []
    for para in comment_paragraphs(text):
        out.extend(wrap_paragraph(para, width - len(indent)))
    return out


def comment_inline(text):
    """A description for a one-line (trailing) comment: its paragraphs joined by '\\x1e',
    which the layout pass (layout.py) turns into a wrapped block comment above the line."""
    return '\x1e'.join(p for p in comment_paragraphs(text))


def c_string(s):
    """C string literal (ASCII-only source: other bytes as octal escapes)."""
    out = ['"']
    for b in s.encode('utf-8'):
        c = chr(b)
        if c == '"':
            out.append('\\"')
        elif c == '\\':
            out.append('\\\\')
        elif c == '\n':
            out.append('\\n')
        elif c == '\t':
            out.append('\\t')
        elif c == '?':
            out.append('\\?')  # no trigraphs
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append('\\%03o' % b)
    out.append('"')
    return ''.join(out)


def c_string_chunks(s, width=100):
    """A long C string literal split into adjacent literals, one per line."""
    lit = c_string(s)[1:-1]
    parts, cur = [], ''
    i = 0
    while i < len(lit):
        tok = lit[i]
        if tok == '\\':
            j = i + 2
            if lit[i + 1].isdigit():
                j = i + 4
            tok = lit[i:j]
        cur += tok
        i += len(tok)
        if len(cur) >= width:
            parts.append('"' + cur + '"')
            cur = ''
    if cur or not parts:
        parts.append('"' + cur + '"')
    return parts


def json_key(name):
    """The ready JSON key bytes of member name, `"name":`, escaped exactly as the runtime's
    encoder (put_string in codec.c) writes them: '"' and '\\' with a backslash, \\b \\f \\n
    \\r \\t, other bytes below 0x20 as \\u00xx (lower-case hex), everything else (DEL,
    '/', non-ASCII as UTF-8) as is. None when the runtime must build the key itself (a name
    with NUL, which C cannot hold, or one that is not valid Unicode)."""
    if name is None or '\0' in name:
        return None
    try:
        raw = name.encode('utf-8')
    except UnicodeEncodeError:
        return None
    short = {0x22: b'\\"', 0x5c: b'\\\\', 0x08: b'\\b', 0x0c: b'\\f', 0x0a: b'\\n', 0x0d: b'\\r',
             0x09: b'\\t'}
    out = bytearray(b'"')
    for b in raw:
        if b in short:
            out += short[b]
        elif b < 0x20:
            out += b'\\u00%02x' % b
        else:
            out.append(b)
    out += b'":'
    return bytes(out)


# ---------------------------------------------------------------------------
# Model

@dataclass
class TypeRef:
    kind: str                      # bool int32 int64 double string bytes file any enum object union array map
    named: object = None           # Enum / Message / Union for enum, object, union
    elem: 'TypeRef' = None         # array / map
    elem_nullable: bool = False
    fmt: Optional[str] = None      # string format, for docs
    consts: object = None          # IntConsts for integer codes
    cname: Optional[str] = field(default=None, compare=False)  # array / map: the C container type

    @property
    def fkey(self):
        """Like key, but string formats the runtime checks get their own (descriptor) key."""
        if self.kind == 'string' and self.fmt in CHECKED_FORMATS:
            return CHECKED_FORMATS[self.fmt][0]
        if self.kind == 'array':
            return self.elem.fkey + '_array'
        if self.kind == 'map':
            return self.elem.fkey + '_map'
        return self.key

    @property
    def key(self):
        if self.kind in ('enum', 'object', 'union'):
            return self.named.snake
        if self.kind == 'array':
            return self.elem.key + '_array'
        if self.kind == 'map':
            return self.elem.key + '_map'
        return self.kind

    def describe(self):
        if self.kind in ('enum', 'object', 'union'):
            return self.named.name
        if self.kind == 'array':
            return 'array of ' + self.elem.describe()
        if self.kind == 'map':
            return 'map of ' + self.elem.describe()
        return {'int32': 'int32', 'int64': 'int64', 'double': 'number', 'bool': 'boolean',
                'int32_str': 'int32 (a number or a string of digits)',
                'int64_str': 'int64 (a number or a string of digits)',
                'double_str': 'number (a number or a string holding one)',
                'decimal': 'decimal number', 'decimal_string': 'decimal string', 'any': 'any JSON', 'bytes': 'base64 bytes', 'file': 'file'}.get(self.kind, self.fmt and
                                                                                  f'string ({self.fmt})' or 'string')


@dataclass
class Field:
    json_name: str
    cname: str
    type: TypeRef
    required: bool
    nullable: bool
    description: str = ''
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    secret: bool = False           # format: password / x-pontes-secret: true -> PONTES_F_SECRET
    file_rule: Optional[tuple] = None  # x-pontes-file: (max_bytes or 0, magic bytes or b'') -> pontes_file_type


@dataclass
class Message:
    name: str
    snake: str
    cname: str
    fields: List[Field] = field(default_factory=list)
    box: bool = False
    description: str = ''
    pointer: str = ''
    extra: bool = True
    text: bool = False             # box of a text body (JWT/JOSE): PONTES_M_TEXT
    envelope: Optional[dict] = None  # x-pontes-envelope {code, message, success} (validated)
    one_of: list = field(default_factory=list)  # exactly-one-of constraints: [[[field index, ...] per alternative]]


@dataclass
class Enum:
    name: str
    snake: str
    cname: str
    values: List[str]
    consts: List[str]
    descriptions: List[str]
    description: str = ''


@dataclass
class IntConsts:
    name: str
    prefix: str
    items: List[tuple]             # (CONST_NAME, value, description)


@dataclass
class Variant:
    member: str
    label: str
    const: str
    type: TypeRef
    mapping: Optional[str]


@dataclass
class Union:
    name: str
    snake: str
    cname: str
    variants: List[Variant]
    discriminator: Optional[str]
    description: str = ''


@dataclass
class Param:
    name: str
    cname: str
    location: str                  # path query header cookie
    kind: str                      # string int64 double bool string_list
    required: bool
    description: str = ''


@dataclass
class Body:
    suffix: str
    media: str
    body_kind: str                 # PONTES_BODY_*
    root: object                   # Message / Union (root type)
    required: bool = True


@dataclass
class Response:
    status: int
    code: str
    root: object                   # Message / Union or None
    description: str = ''


@dataclass
class Operation:
    op_id: str
    snake: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    path_params: List[Param]
    params: List[Param]
    bodies: List[Body]
    responses: List[Response]
    success: object                # Message / Union / None
    success_status: int
    security: List[tuple]          # (scheme, type const, param_name, param_in)
    server_group: Optional[str]
    default_server: Optional[str]
    tags: List[str]
    notes: List[str] = field(default_factory=list)
    accept: Optional[str] = None   # Accept header when the success body is not JSON (JWT/JOSE)
    results: list = field(default_factory=list)  # [(member, const, root, [status codes])]: 2xx of several types
    pagination: Optional[dict] = None  # x-pontes-pagination, validated (Builder.pagination)
    idempotent: bool = False       # PONTES_OP_IDEMPOTENT: by method, or x-pontes-idempotent
    side_effect: bool = False      # x-pontes-idempotent: false -> PONTES_OP_SIDE_EFFECT (never resent once answered)


@dataclass
class Example:
    name: str
    root: object
    json: str
    invalid: bool
    where: str
    deviations: int = 0   # x-pontes-deviations: tolerated deviations the example knowingly has


@dataclass
class Webhook:
    name: str
    method: str
    root: object
    description: str
    snake: str = ''                # C name part: <prefix>_<snake>_receive / _notification
    media: str = 'application/json'
    headers: list = field(default_factory=list)  # [Param] declared header parameters (in: header)


class Api:
    def __init__(self):
        self.prefix = ''
        self.upper = ''
        self.title = ''
        self.version = ''
        self.description = ''
        self.spec_name = ''
        self.default_server = ''
        self.servers = []
        self.messages: List[Message] = []
        self.enums: List[Enum] = []
        self.unions: List[Union] = []
        self.int_consts: List[IntConsts] = []
        self.containers: Dict[str, TypeRef] = {}
        self.operations: List[Operation] = []
        self.examples: List[Example] = []
        self.webhooks: List[Webhook] = []
        self.coverage = []        # [OpCoverage] (x-pontes-provenance; see Builder.provenance)
        self.provenance_default = None
        self.coverage_fn = ''
        self.coverage_totals = {}
        self.coverage_member_totals = {}
        self.error_model = None
        self.status_code = None   # x-pontes-status-code {member, message, parts [(name, digits)], length}
        self.empty_success = False  # x-pontes-empty-success: an empty 2xx body is a success
        self.auth_profiles = []   # [(scheme, c name, profile dict)] of x-pontes-auth schemes, spec order
        self.flows = []           # x-pontes-flows, resolved (see Builder.flows)
        self.roots = []
        self.warnings = []


# ---------------------------------------------------------------------------
# Builder

class Builder:
    def __init__(self, doc: Document, prefix=None):
        self.doc = doc
        self.api = Api()
        self.root = doc.root
        self.file = doc.path
        self.names = set()
        self.by_pointer = {}       # (file, pointer) -> TypeRef for named schemas
        self.in_progress = {}
        self.api.prefix = prefix
        self.errors = []
        self.boxes = {}
        self.container_names = {}  # TypeRef.key -> C name
        self.warned_examples = set()
        self.msg_nodes = {}  # Message cname -> (file, pointer, node, props): schema / property examples
        self.schema_snakes = set()  # snake names of the component schemas: containers avoid them

    # -- errors ----------------------------------------------------------
    def fail(self, pointer, msg, file=None):
        raise SpecError(self.doc.rel(file or self.file), pointer, msg)

    def warn(self, pointer, msg):
        self.api.warnings.append(f'{self.doc.display}: {pointer}: {msg}')

    # -- names -----------------------------------------------------------
    SUFFIXES = {'object': ('', '_decode', '_encode', '_free'),
                'union': ('', '_decode', '_encode', '_free', '_kind'),
                'enum': ('', '_value', '_to_string')}

    def unique(self, base, kind='object'):
        """A type name whose C identifiers (and the ones derived from it) collide with nothing."""
        name = base
        n = 2
        while any(snake(name) + sfx in self.names for sfx in self.SUFFIXES[kind]):
            name = f'{base}{n}'
            n += 1
        for sfx in self.SUFFIXES[kind]:
            self.names.add(snake(name) + sfx)
        return name

    def reserve_operation_names(self):
        """Operation functions and API-level symbols share the C namespace with types."""
        for w in ('client', 'client_new', 'client_free', 'client_last_error', 'api', 'schemas', 'schema_entry',
                  'schema_count', 'string_list', 'int32_list', 'int64_list', 'double_list', 'bool_list',
                  'bytes_list', 'any_list', 'string_map', 'decimal_list', 'coverage'):
            self.names.add(w)
        for path, item in (self.root.get('paths') or {}).items():
            if not isinstance(item, dict):
                continue
            for m in HTTP_METHODS:
                op = item.get(m)
                if isinstance(op, dict):
                    oid = op.get('operationId') or snake(m + ' ' + re.sub(r'[{}]', '', str(path)))
                    sn = snake(str(oid))
                    for sfx in ('', '_params', '_json', '_form', '_multipart', '_text', '_binary'):
                        self.names.add(sn + sfx)
                    if 'x-pontes-pagination' in op:  # the iterator (templates/pager.h.j2)
                        for sfx in ('_iter', '_iter_new', '_iter_next', '_iter_free', '_iter_total', '_iter_pages',
                                    '_iter_error', '_iter_page'):
                            self.names.add(sn + sfx)
        for wname in (self.root.get('webhooks') or {}):
            for sfx in ('_receive', '_notification', '_notification_free'):
                self.names.add(snake(str(wname)) + sfx)

    def cname(self, schema_name):
        return f'{self.api.prefix}_{snake(schema_name)}'

    # -- top level -------------------------------------------------------
    def build(self):
        r = self.root
        if not isinstance(r, dict):
            self.fail('', 'the document must be a mapping')
        ver = r.get('openapi')
        if not isinstance(ver, str) or not re.match(r'^3\.[01]\.\d+', ver):
            self.fail('#/openapi', f"expected an OpenAPI 3.0 or 3.1 version string, got {ver!r}")
        self.v31 = ver.startswith('3.1')
        info = r.get('info')
        if not isinstance(info, dict) or 'title' not in info:
            self.fail('#/info', 'info with a title is required')
        api = self.api
        api.title = str(info.get('title'))
        api.version = str(info.get('version', ''))
        api.description = str(info.get('description', '') or '')
        if not api.prefix:
            api.prefix = snake(r.get('x-pontes-api') or api.title)
        if not re.match(r'^[a-z][a-z0-9_]*$', api.prefix):
            self.fail('#/x-pontes-api', f'prefix {api.prefix!r} is not a C identifier')
        api.upper = api.prefix.upper()
        api.servers = []
        for i, s in enumerate(r.get('servers') or []):
            if not isinstance(s, dict) or 'url' not in s:
                self.fail(f'#/servers/{i}', 'server needs a url')
            api.servers.append((self.server_url(s), str(s.get('description', '') or '')))
        api.default_server = api.servers[0][0] if api.servers else ''
        em = r.get('x-pontes-errors')
        if em is not None:
            if not isinstance(em, dict):
                self.fail('#/x-pontes-errors', 'must be a mapping')
            api.error_model = {k: em.get(k) for k in
                               ('code', 'message', 'fieldErrors', 'fieldKey', 'fieldMessage', 'requestId',
                                'requestIdHeader', 'date')}
        api.status_code = self.status_code(r.get('x-pontes-status-code'))
        if api.status_code and api.error_model is None:  # its code and message are the provider errors
            api.error_model = {'code': api.status_code['member'], 'message': api.status_code['message']}
        es = r.get('x-pontes-empty-success', False)
        if not isinstance(es, bool):
            self.fail('#/x-pontes-empty-success', f'must be true or false, got {es!r}')
        api.empty_success = es
        self.schemes = {}
        comps = r.get('components') or {}
        if not isinstance(comps, dict):
            self.fail('#/components', 'must be a mapping')
        for name, sch in (comps.get('securitySchemes') or {}).items():
            ptr = join_pointer('#/components/securitySchemes', name)
            f, p, sch = self.doc.deref(self.file, ptr, sch)
            self.schemes[name] = self.security_scheme(ptr, sch)
        self.reserve_operation_names()
        self.schema_snakes = {snake(pascal(n)) for n in (comps.get('schemas') or {})}
        # named schemas first (stable order = spec order)
        for name, sch in (comps.get('schemas') or {}).items():
            self.schema_ref(self.file, join_pointer('#/components/schemas', name), name)
        paths = r.get('paths') or {}
        if not isinstance(paths, dict):
            self.fail('#/paths', 'must be a mapping')
        op_ids = {}
        for path, item in paths.items():
            pptr = join_pointer('#/paths', path)
            if not str(path).startswith('/'):
                self.fail(pptr, 'path must start with /')
            f, pptr2, item = self.doc.deref(self.file, pptr, item)
            if not isinstance(item, dict):
                self.fail(pptr, 'path item must be a mapping')
            for m in HTTP_METHODS:
                if m in item:
                    op = self.operation(path, m, item, join_pointer(pptr, m))
                    if op is None:
                        continue
                    if op.op_id in op_ids:
                        self.fail(join_pointer(pptr, m, 'operationId'),
                                  f"duplicate operationId '{op.op_id}' (also at {op_ids[op.op_id]})")
                    op_ids[op.op_id] = join_pointer(pptr, m)
                    api.operations.append(op)
        self.check_auth_profiles()
        api.flows = self.flows(r.get('x-pontes-flows'))
        for name, item in (r.get('webhooks') or {}).items():
            wptr = join_pointer('#/webhooks', name)
            f, _, item = self.doc.deref(self.file, wptr, item)
            for m in HTTP_METHODS:
                if isinstance(item, dict) and m in item:
                    self.webhook(name, m, item[m], join_pointer(wptr, m), item)
        self.schema_examples()
        return api

    def status_code(self, sc):
        """x-pontes-status-code {member, message, parts: [{name, digits}]}: a fixed-width digit code
        made of named parts (validated; errors carry the JSON pointer)."""
        if sc is None:
            return None
        ptr = '#/x-pontes-status-code'
        if not isinstance(sc, dict):
            self.fail(ptr, 'must be a mapping {member, message, parts}')
        for k in sc:
            if k not in ('member', 'message', 'parts'):
                self.fail(join_pointer(ptr, k), f"unknown key {k!r} (expected member, message, parts)")
        member, message, parts = sc.get('member'), sc.get('message'), sc.get('parts')
        if not isinstance(member, str) or not member:
            self.fail(join_pointer(ptr, 'member'), 'member (the dotted path of the code) is required')
        if message is not None and (not isinstance(message, str) or not message):
            self.fail(join_pointer(ptr, 'message'), 'message must be a dotted path')
        if not isinstance(parts, list) or not parts:
            self.fail(join_pointer(ptr, 'parts'), 'parts must be a non-empty list of {name, digits}')
        out, names = [], set()
        for i, part in enumerate(parts):
            pp = join_pointer(ptr, 'parts', i)
            if not isinstance(part, dict) or set(part) - {'name', 'digits'}:
                self.fail(pp, 'a part is {name, digits}')
            name, digits = part.get('name'), part.get('digits')
            if not isinstance(name, str) or not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', name):
                self.fail(join_pointer(pp, 'name'), f'part name {name!r} must be an identifier')
            if name in names:
                self.fail(join_pointer(pp, 'name'), f'duplicate part name {name!r}')
            names.add(name)
            if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= 18:
                self.fail(join_pointer(pp, 'digits'), f'digits must be an integer 1..18, got {digits!r}')
            out.append((name, digits))
        return dict(member=member, message=message, parts=out, length=sum(d for _, d in out))

    def server_url(self, s):
        url = str(s['url'])
        for var, spec in (s.get('variables') or {}).items():
            default = spec.get('default', '') if isinstance(spec, dict) else ''
            url = url.replace('{' + var + '}', str(default))
        return url.rstrip('/')

    def security_scheme(self, ptr, sch):
        if not isinstance(sch, dict) or 'type' not in sch:
            self.fail(ptr, 'security scheme needs a type')
        t = sch['type']
        if t == 'http':
            scheme = str(sch.get('scheme', '')).lower()
            if 'x-pontes-auth' in sch:  # style session: a bearer token from a login operation
                if scheme != 'bearer':
                    self.fail(join_pointer(ptr, 'x-pontes-auth'), 'x-pontes-auth on an http scheme needs scheme: '
                              f'bearer (style session); this one is {scheme!r}')
                return ('PONTES_SEC_BEARER', None, 0, self.session_profile(join_pointer(ptr, 'x-pontes-auth'),
                                                                           sch['x-pontes-auth']))
            if scheme == 'basic':
                return ('PONTES_SEC_BASIC', None, 0)
            return ('PONTES_SEC_BEARER', None, 0)
        if t in ('oauth2', 'openIdConnect'):
            return ('PONTES_SEC_BEARER', None, 0)
        if t == 'apiKey':
            where = sch.get('in')
            if where not in ('header', 'query', 'cookie'):
                self.fail(join_pointer(ptr, 'in'), "apiKey 'in' must be header, query or cookie")
            prof = self.auth_profile(join_pointer(ptr, 'x-pontes-auth'), sch['x-pontes-auth'], where) \
                if 'x-pontes-auth' in sch else None
            return ('PONTES_SEC_OAUTH_PARAMS' if prof and prof['style'] == 'oauth-params' else 'PONTES_SEC_API_KEY',
                    str(sch.get('name', '')),
                    {'header': 'PONTES_IN_HEADER', 'query': 'PONTES_IN_QUERY', 'cookie': 'PONTES_IN_COOKIE'}[where],
                    prof)
        if 'x-pontes-auth' in sch:
            self.fail(join_pointer(ptr, 'x-pontes-auth'), "x-pontes-auth is supported on apiKey schemes and (style "
                      f"session) http bearer schemes only (this one is {t!r})")
        if t == 'mutualTLS':
            return None
        self.fail(join_pointer(ptr, 'type'), f'unknown security scheme type {t!r}')

    # -- x-pontes-auth (how the runtime builds a scheme; pontes_auth_profile) --------
    AUTH_KEYS = {
        'static-header': {'style', 'value', 'description'},
        'oauth-params': {'style', 'description', 'prefix', 'separator', 'quote_values', 'order', 'consumer_key_param',
                         'code_param', 'token_param', 'per_operation', 'roles', 'token_operation', 'token_response',
                         'expires_in', 'refresh', 'token_invalid', 'signature'},
    }
    AUTH_SIG_KEYS = {'enabled_by_default', 'timestamp_param', 'timestamp', 'version_param', 'version',
                     'signature_param', 'secret_param', 'algorithm', 'key', 'base_string', 'value', 'escapes',
                     'test_vector', 'description'}

    def auth_profile(self, ptr, xa, where):
        if not isinstance(xa, dict):
            self.fail(ptr, 'x-pontes-auth must be a mapping')
        style = xa.get('style')
        if style == 'session':
            self.fail(join_pointer(ptr, 'style'), 'x-pontes-auth style session needs an http bearer scheme '
                      '(type: http, scheme: bearer), not an apiKey scheme')
        if style not in self.AUTH_KEYS:
            self.fail(join_pointer(ptr, 'style'), f"unknown x-pontes-auth style {style!r} (supported: "
                      + ', '.join(sorted(self.AUTH_KEYS)) + ')')
        for k in xa:
            if k not in self.AUTH_KEYS[style]:
                self.fail(join_pointer(ptr, k), f"unknown x-pontes-auth key {k!r} for style {style}")
        prof = {'style': style, 'pointer': ptr}
        if style == 'static-header':
            return prof
        if where != 'header':
            self.fail(ptr, 'x-pontes-auth style oauth-params needs an apiKey scheme in: header')

        def text(key, default=None, required=False, obj=xa, p=ptr):
            v = obj.get(key, default)
            if v is None:
                if required:
                    self.fail(p, f'x-pontes-auth needs {key!r}')
                return None
            if not isinstance(v, str) or (not v and key not in ('prefix',)):
                self.fail(join_pointer(p, key), f'{key} must be a non-empty string')
            return v

        def fixed(key, allowed, obj=xa, p=ptr):
            if key in obj and obj[key] not in allowed:
                self.fail(join_pointer(p, key), f"{key} {obj[key]!r} is not supported (supported: "
                          + ', '.join(repr(a) for a in allowed) + ')')
        prof['prefix'] = text('prefix', 'OAuth ')
        prof['separator'] = text('separator', ',')
        fixed('quote_values', (False,))
        fixed('order', ('sorted-by-name-signature-last',))
        fixed('per_operation', ('security-requirement-roles',))
        fixed('refresh', ('none',))
        fixed('expires_in', ('absolute-epoch', 'relative'))
        prof['consumer_key_param'] = text('consumer_key_param', required=True)
        prof['code_param'] = text('code_param')
        prof['token_param'] = text('token_param')
        roles = xa.get('roles') or {}
        if not isinstance(roles, dict):
            self.fail(join_pointer(ptr, 'roles'), 'roles must be a mapping of role name to description')
        for r in roles:
            if r not in ('code', 'access_token'):
                self.fail(join_pointer(ptr, 'roles', r), f"unknown role {r!r} (supported: 'code' sends code_param, "
                          "'access_token' sends token_param)")
        if 'code' in roles and not prof['code_param']:
            self.fail(join_pointer(ptr, 'roles', 'code'), "role 'code' needs code_param")
        if 'access_token' in roles and not prof['token_param']:
            self.fail(join_pointer(ptr, 'roles', 'access_token'), "role 'access_token' needs token_param")
        prof['roles'] = list(roles) if roles else ['code', 'access_token']
        prof['token_operation'] = text('token_operation')
        tr = xa.get('token_response') or {}
        if not isinstance(tr, dict):
            self.fail(join_pointer(ptr, 'token_response'), 'token_response must be a mapping')
        for k in tr:
            if k not in ('access_token', 'expires_in'):
                self.fail(join_pointer(ptr, 'token_response', k), f"unknown token_response key {k!r}")
        trp = join_pointer(ptr, 'token_response')
        prof['token_member'] = text('access_token', 'access_token', obj=tr, p=trp)
        prof['expires_member'] = text('expires_in', 'expires_in', obj=tr, p=trp)
        prof['expires'] = ('PONTES_AUTH_EXPIRES_ABSOLUTE' if xa.get('expires_in') == 'absolute-epoch'
                           else 'PONTES_AUTH_EXPIRES_RELATIVE')
        ti = xa.get('token_invalid') or []
        if not isinstance(ti, list) or not all(isinstance(x, str) and x for x in ti):
            self.fail(join_pointer(ptr, 'token_invalid'), 'token_invalid must be a list of non-empty strings '
                      '(provider codes or messages)')
        prof['token_invalid'] = ti
        sig = xa.get('signature') or {}
        sp = join_pointer(ptr, 'signature')
        if not isinstance(sig, dict):
            self.fail(sp, 'signature must be a mapping')
        for k in sig:
            if k not in self.AUTH_SIG_KEYS:
                self.fail(join_pointer(sp, k), f"unknown signature key {k!r}")
        if 'enabled_by_default' in sig and not isinstance(sig['enabled_by_default'], bool):
            self.fail(join_pointer(sp, 'enabled_by_default'), 'enabled_by_default must be true or false')
        fixed('algorithm', ('HMAC-SHA256',), obj=sig, p=sp)
        fixed('timestamp', ('unix-seconds',), obj=sig, p=sp)
        fixed('key', ('secret-key',), obj=sig, p=sp)
        fixed('value', ('url-encoded base64',), obj=sig, p=sp)
        fixed('escapes', ('lower-case',), obj=sig, p=sp)
        prof['sign_default'] = bool(sig.get('enabled_by_default', False))
        prof['timestamp_param'] = text('timestamp_param', 'oauth_timestamp' if sig else None, obj=sig, p=sp)
        prof['version_param'] = text('version_param', None, obj=sig, p=sp)
        prof['version'] = text('version', None, obj=sig, p=sp)
        prof['signature_param'] = text('signature_param', 'oauth_signature' if sig else None, obj=sig, p=sp)
        prof['secret_param'] = text('secret_param', 'oauth_consumer_secret' if sig else None, obj=sig, p=sp)
        return prof

    SESSION_KEYS = ('style', 'description', 'login_operation', 'token_member', 'idle_timeout', 'idle_margin',
                    'credentials')
    SESSION_ROLE_KEYS = ('header', 'secret', 'description')

    def session_profile(self, ptr, xa):
        """x-pontes-auth style session on an http bearer scheme: {login_operation, [token_member],
        idle_timeout, [idle_margin], credentials: {role: {header, [secret]}}}."""
        if not isinstance(xa, dict):
            self.fail(ptr, 'x-pontes-auth must be a mapping')
        style = xa.get('style')
        if style != 'session':
            self.fail(join_pointer(ptr, 'style') if 'style' in xa else ptr,
                      f"x-pontes-auth on an http bearer scheme must be style session (got {style!r})")
        for k in xa:
            if k not in self.SESSION_KEYS:
                self.fail(join_pointer(ptr, k), f"unknown x-pontes-auth key {k!r} for style session (known: "
                          + ', '.join(self.SESSION_KEYS) + ')')
        lo = xa.get('login_operation')
        if not isinstance(lo, str) or not lo:
            self.fail(join_pointer(ptr, 'login_operation') if 'login_operation' in xa else ptr,
                      'style session needs login_operation: the operationId of the login operation (a string)')
        tm = xa.get('token_member')
        if tm is not None and (not isinstance(tm, str) or not tm):
            self.fail(join_pointer(ptr, 'token_member'), 'token_member must be a non-empty string (the member of the '
                      "login answer that holds the token)")

        def seconds(key, required, minimum):
            v = xa.get(key)
            if v is None:
                if required:
                    self.fail(ptr, f'style session needs {key} (seconds, an integer)')
                return 0
            if isinstance(v, bool) or not isinstance(v, int) or v < minimum or v > 2**31 - 1:
                self.fail(join_pointer(ptr, key), f'{key} must be a {"positive" if minimum else "non-negative"} '
                          f'integer (seconds), got {v!r}')
            return v
        it = seconds('idle_timeout', True, 1)
        im = seconds('idle_margin', False, 0)
        if im >= it:
            self.fail(join_pointer(ptr, 'idle_margin'), f'idle_margin ({im}) must be smaller than idle_timeout ({it})')
        cp = join_pointer(ptr, 'credentials')
        creds = xa.get('credentials')
        if not isinstance(creds, dict) or not creds:
            self.fail(cp if 'credentials' in xa else ptr, 'credentials must be a non-empty mapping of role name to '
                      '{header, secret} (the headers of the login request)')
        roles, seen = [], {}
        for role, d in creds.items():
            rp = join_pointer(cp, str(role))
            if not isinstance(role, str) or not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_.-]*', role):
                self.fail(rp, f'credential role {role!r} must be a name (letters, digits, _ . -)')
            if not isinstance(d, dict):
                self.fail(rp, f'credential {role!r} must be a mapping {{header, secret}}')
            for k in d:
                if k not in self.SESSION_ROLE_KEYS:
                    self.fail(join_pointer(rp, k), f'unknown key {k!r} of credential {role!r} (known: '
                              + ', '.join(self.SESSION_ROLE_KEYS) + ')')
            h = d.get('header')
            if not isinstance(h, str) or not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", h):
                self.fail(join_pointer(rp, 'header') if 'header' in d else rp,
                          f'header of credential {role!r} must be an HTTP header name (a token), got {h!r}')
            if h.lower() in seen:
                self.fail(join_pointer(rp, 'header'), f'header {h!r} is also the header of credential '
                          f'{seen[h.lower()]!r}')
            seen[h.lower()] = role
            sec = d.get('secret', False)
            if not isinstance(sec, bool):
                self.fail(join_pointer(rp, 'secret'), f'secret must be true or false, got {sec!r}')
            roles.append((role, h, sec))
        return {'style': 'session', 'pointer': ptr, 'login_operation': lo, 'token_operation': lo,
                'token_member': tm, 'idle_timeout': it, 'idle_margin': im, 'credentials': roles}

    def check_auth_profiles(self):
        ops = {o.op_id: o for o in self.api.operations}
        for name, sch in self.schemes.items():
            prof = sch[3] if sch is not None and len(sch) > 3 else None
            if not prof:
                continue
            if prof['style'] == 'session':
                lp = join_pointer(prof['pointer'], 'login_operation')
                op = ops.get(prof['login_operation'])
                if op is None:
                    self.fail(lp, f"login_operation {prof['login_operation']!r} is not an operationId of this spec")
                if op.path_params:
                    self.fail(lp, f'login operation {op.op_id} has path parameters: the runtime cannot fill them')
                if any(x[0] == name for x in op.security):
                    self.fail(lp, f'login operation {op.op_id} requires scheme {name} itself: give it security: []')
                prof['login_op'] = op
            elif prof.get('token_operation') and prof['token_operation'] not in ops:
                self.fail(join_pointer(prof['pointer'], 'token_operation'),
                          f"token_operation {prof['token_operation']!r} is not an operationId of this spec")
            prof['cname'] = f'{self.api.prefix}__auth_{snake(name)}'
            self.api.auth_profiles.append((name, prof['cname'], prof))

    FLOW_KEYS = {'description', 'start', 'redirect_uri_param', 'state_param', 'start_params', 'login_url', 'redirect',
                 'code_scheme', 'finish', 'finish_operation_id_param'}
    REDIRECT_KEYS = ('code', 'state', 'operation_id', 'error', 'error_description')

    def flows(self, xf):
        """x-pontes-flows: {name: {start, redirect_uri_param, [state_param], [start_params], login_url,
        redirect: {code, state, operation_id, error, error_description}, [code_scheme], finish,
        [finish_operation_id_param]}} -> generated <api>_<name>_start / _finish helpers."""
        if xf is None:
            return []
        ptr = '#/x-pontes-flows'
        if not isinstance(xf, dict) or not xf:
            self.fail(ptr, 'x-pontes-flows must be a non-empty mapping of flow name to flow')
        ops = {o.op_id: o for o in self.api.operations}
        out = []
        for fname, f in xf.items():
            fp = join_pointer(ptr, fname)
            if not isinstance(f, dict):
                self.fail(fp, 'a flow must be a mapping')
            for k in f:
                if k not in self.FLOW_KEYS:
                    self.fail(join_pointer(fp, k), f'unknown flow key {k!r} (known: ' + ', '.join(sorted(self.FLOW_KEYS)) + ')')
            cname = snake(str(fname))

            def op_of(key, required=True):
                v = f.get(key)
                if v is None and not required:
                    return None
                if v not in ops:
                    self.fail(join_pointer(fp, key), f'{key} must name an operationId of this spec (got {v!r})')
                return ops[v]

            def param_of(op, key, locs):
                v = f.get(key)
                if v is None:
                    return None
                for prm in op.params + op.path_params:
                    if prm.name == v and prm.location in locs and prm.kind == 'string':
                        return prm
                self.fail(join_pointer(fp, key), f'{v!r} is not a string {"/".join(locs)} parameter of {op.op_id}')
            start = op_of('start')
            finish = op_of('finish')
            if len(start.bodies) > 1:
                self.fail(join_pointer(fp, 'start'), f'{start.op_id} has several request media types: not supported in a flow')
            redirect_p = param_of(start, 'redirect_uri_param', ('header', 'query'))
            if redirect_p is None:
                self.fail(fp, 'a flow needs redirect_uri_param (the start parameter that carries the redirect URI)')
            state_p = param_of(start, 'state_param', ('header', 'query'))
            fixed = []
            sp = f.get('start_params') or {}
            if not isinstance(sp, dict):
                self.fail(join_pointer(fp, 'start_params'), 'start_params must map parameter names to values')
            for k, val in sp.items():
                prm = next((x for x in start.params if x.name == k and x.kind == 'string'), None)
                if prm is None or not isinstance(val, str):
                    self.fail(join_pointer(fp, 'start_params', k), f'{k!r} is not a string parameter of {start.op_id} '
                              '(or its value is not a string)')
                fixed.append((prm.cname, val))
            res = start.success
            login = f.get('login_url')
            lf = None
            if isinstance(res, Message):
                lf = next((x for x in res.fields if x.json_name == login and x.type.kind == 'string'), None)
            if lf is None:
                self.fail(join_pointer(fp, 'login_url'), f'{login!r} is not a string member of the success response '
                          f'of {start.op_id}')
            rd = f.get('redirect') or {}
            if not isinstance(rd, dict):
                self.fail(join_pointer(fp, 'redirect'), 'redirect must be a mapping')
            for k, val in rd.items():
                if k not in self.REDIRECT_KEYS or not isinstance(val, str) or not val:
                    self.fail(join_pointer(fp, 'redirect', k), 'redirect keys are ' + ', '.join(self.REDIRECT_KEYS)
                              + ', each the name of a query parameter')
            if not rd.get('operation_id') and not rd.get('code'):
                self.fail(join_pointer(fp, 'redirect'), 'a redirect needs code or operation_id')
            code_scheme = f.get('code_scheme')
            if rd.get('code'):
                if not state_p or not rd.get('state'):
                    self.fail(fp, 'a flow whose redirect carries a code needs state_param and redirect.state '
                              '(the state is checked)')
                sch = self.schemes.get(code_scheme) if isinstance(code_scheme, str) else None
                prof = sch[3] if sch is not None and len(sch) > 3 else None
                if not prof or prof['style'] != 'oauth-params':
                    self.fail(join_pointer(fp, 'code_scheme'), 'a flow with a code needs code_scheme: a security '
                              'scheme with x-pontes-auth style oauth-params')
                if not any(x[0] == code_scheme and 'code' in x[5] for x in finish.security):
                    self.fail(join_pointer(fp, 'finish'), f'{finish.op_id} does not require role code of {code_scheme}')
            id_p = None
            if f.get('finish_operation_id_param') is not None:
                if not rd.get('operation_id'):
                    self.fail(join_pointer(fp, 'finish_operation_id_param'), 'needs redirect.operation_id')
                id_p = param_of(finish, 'finish_operation_id_param', ('path',))
            nonfixed_required = [x for x in finish.params if x.required]
            if finish.bodies or nonfixed_required or [x for x in finish.path_params if x is not id_p]:
                self.fail(join_pointer(fp, 'finish'), f'{finish.op_id} needs arguments the flow cannot give '
                          '(only the operation id of the redirect, as finish_operation_id_param)')
            for x in start.params:
                if x.required and x not in (redirect_p, state_p) and x.cname not in [c for c, _ in fixed]:
                    self.fail(join_pointer(fp, 'start'), f'{start.op_id} requires parameter {x.name!r}: give it in '
                              'start_params')
            if start.path_params:
                self.fail(join_pointer(fp, 'start'), f'{start.op_id} has path parameters: not supported in a flow')
            out.append({'name': cname, 'key': str(fname), 'description': str(f.get('description', '') or ''),
                        'start': start, 'finish': finish, 'redirect_member': redirect_p.cname,
                        'state_member': state_p.cname if state_p and rd.get('code') else None, 'fixed': fixed,
                        'login_member': lf.cname, 'login_json': login,
                        'names': [rd.get(k) for k in self.REDIRECT_KEYS], 'code_scheme': code_scheme if rd.get('code') else None,
                        'id_param': id_p, 'keep_result': rd.get('code') is None and finish.success is not None})
        return out

    # -- schemas ---------------------------------------------------------
    def schema_ref(self, file, pointer, name):
        """TypeRef of the named schema at (file, pointer)."""
        key = (file, pointer)
        if key in self.by_pointer:
            return self.by_pointer[key]
        node = self.doc.get(file, pointer)
        return self.schema(file, pointer, node, pascal(name), named=True)

    def schema(self, file, pointer, node, name_hint, named=False):
        """TypeRef for a schema node; name_hint names inline composite types.
        Returns (TypeRef); nullability is reported through self.last_nullable."""
        t, _ = self.schema_n(file, pointer, node, name_hint, named)
        return t

    def schema_n(self, file, pointer, node, name_hint, named=False):
        """(TypeRef, nullable) for a schema node."""
        if isinstance(node, bool):
            return TypeRef('any'), True
        if not isinstance(node, dict):
            self.fail(pointer, 'schema must be a mapping', file)
        if '$ref' in node:
            f, p = self.doc.resolve_ref(file, node['$ref'], join_pointer(pointer, '$ref'))
            target = self.doc.get(f, p)
            key = (f, p)
            if key in self.by_pointer:
                t = self.by_pointer[key]
            elif key in self.in_progress:
                t = self.in_progress[key]
            else:
                tail = p.rsplit('/', 1)[-1] if p != '#' else 'Schema'
                t, n = self.schema_n(f, p, target, pascal(tail.replace('~1', '_')), named=True)
                return t, n or self._nullable(node)
            return t, self._nullable(target) or self._nullable(node)
        key = (file, pointer)
        nullable = self._nullable(node)
        types = node.get('type')
        for kw in ('not', 'if', 'prefixItems', 'patternProperties', 'dependentSchemas', 'unevaluatedProperties',
                   'contains'):
            if kw in node and (file, pointer, kw) not in self.warned_examples:
                self.warned_examples.add((file, pointer, kw))
                self.warn(join_pointer(pointer, kw), f"'{kw}' is not supported: not checked, and the value is typed "
                                                     'without it')
        if isinstance(types, list):
            bad = [x for x in types if x not in SCHEMA_TYPES]
            if bad:
                self.fail(join_pointer(pointer, 'type'), f'unknown type {bad[0]!r}', file)
            if 'null' in types:
                nullable = True
            types = [x for x in types if x != 'null']
            if len(types) == 1:
                types = types[0]
            elif len(types) == 0:
                types = 'null'
        elif types is not None and types not in SCHEMA_TYPES:
            self.fail(join_pointer(pointer, 'type'), f'unknown type {types!r}', file)

        # oneOf / anyOf
        for comb in ('oneOf', 'anyOf'):
            if comb == 'oneOf' and comb in node and self.required_only_alts(file, pointer, node) is not None:
                continue  # exactly-one-of members: a constraint of the object (Builder.one_of_constraints)
            if comb in node:
                alts = node[comb]
                if not isinstance(alts, list) or not alts:
                    self.fail(join_pointer(pointer, comb), f'{comb} must be a non-empty list', file)
                non_null = []
                for i, a in enumerate(alts):
                    ap = join_pointer(pointer, comb, i)
                    af, app, an = self.doc.deref(file, ap, a)
                    if isinstance(an, dict) and (an.get('type') == 'null' or an.get('type') == ['null']
                                                 or an.get('enum') == [None]):
                        nullable = True
                    else:
                        non_null.append((i, a))
                if len(non_null) == 1 and not node.get('discriminator'):
                    t, n = self.schema_n(file, join_pointer(pointer, comb, non_null[0][0]), non_null[0][1],
                                         name_hint)
                    if named:
                        t = self._alias(key, t)
                    return t, nullable or n
                return self.union(file, pointer, node, comb, non_null, name_hint, nullable)
        if isinstance(types, list) and number_string_kind(types, node):
            # a number that may travel as a string: the C number, its wire form kept per value
            return TypeRef(number_string_kind(types, node), fmt=node.get('format') if isinstance(
                node.get('format'), str) else None), nullable
        if isinstance(types, list):
            # multi-type without null: a union of primitives/containers
            alts = [(i, dict({k: v for k, v in node.items() if k not in ('type', 'nullable')}, type=tt))
                    for i, tt in enumerate(types)]
            return self.union(file, pointer, node, None, alts, name_hint, nullable)
        if 'allOf' in node:
            return self.all_of(file, pointer, node, name_hint, named, nullable)
        if 'enum' in node or 'const' in node:
            vals = node['enum'] if 'enum' in node else [node['const']]
            if not isinstance(vals, list):
                self.fail(join_pointer(pointer, 'enum'), 'enum must be a list', file)
            if None in vals:
                nullable = True
            vals = [v for v in vals if v is not None]
            if types in (None, 'string') and vals and all(isinstance(v, str) for v in vals):
                return self.enum(file, pointer, node, vals, name_hint), nullable
            if types in (None, 'integer') and vals and all(isinstance(v, int) and not isinstance(v, bool)
                                                           for v in vals):
                t = self.integer(node)
                t.consts = self.int_consts(node, vals, name_hint)
                return t, nullable
            if types is None and vals:
                self.fail(join_pointer(pointer, 'enum'), 'enum mixes value types and has no type', file)
        if types is None:
            if 'properties' in node or 'additionalProperties' in node:
                types = 'object'
            elif 'items' in node:
                types = 'array'
            else:
                return TypeRef('any'), True if not nullable else nullable
        if types == 'null':
            return TypeRef('any'), True
        if types == 'string':
            fmt = node.get('format')
            if fmt == 'byte' or node.get('contentEncoding') == 'base64':
                return TypeRef('bytes', fmt='byte'), nullable
            if fmt == 'binary':
                return TypeRef('file', fmt='binary'), nullable
            if is_money(node):
                return TypeRef('decimal_string', fmt='decimal'), nullable
            return TypeRef('string', fmt=fmt if isinstance(fmt, str) else None), nullable
        if types == 'integer':
            t = self.integer(node)
            known = node.get('x-pontes-known-values')
            if isinstance(known, list) and known:
                items = [(k.get('name', k.get('value')), k.get('value'), k.get('description', ''))
                         for k in known if isinstance(k, dict) and isinstance(k.get('value'), int)]
                t.consts = self.int_consts(node, [v for _, v, _ in items], name_hint,
                                           names=[n for n, _, _ in items], descs=[d for _, _, d in items])
            return t, nullable
        if types == 'number':
            return (TypeRef('decimal', fmt='decimal') if is_money(node) else TypeRef('double')), nullable
        if types == 'boolean':
            return TypeRef('bool'), nullable
        if types == 'array':
            items = node.get('items', {})
            ip = join_pointer(pointer, 'items')
            et, en = self.schema_n(file, ip, items, name_hint + 'Item')
            if en and et.kind not in POINTER_KINDS:
                self.warn(ip, 'nullable items of a non-pointer type: null elements will be rejected')
                en = False
            t = self.container('array', et, en)
            if named:
                t = self._alias(key, t)
            return t, nullable
        if types == 'object':
            props = node.get('properties') or {}
            addl = node.get('additionalProperties', None)
            if not props and isinstance(addl, dict) and addl:
                ap = join_pointer(pointer, 'additionalProperties')
                et, en = self.schema_n(file, ap, addl, name_hint + 'Value')
                if en and et.kind not in POINTER_KINDS:
                    en = False
                t = self.container('map', et, en)
                if named:
                    t = self._alias(key, t)
                return t, nullable
            if not props and addl in (None, True, {}) and not named and 'required' not in node:
                return TypeRef('any'), nullable
            if props and isinstance(addl, dict) and addl:
                self.warn(join_pointer(pointer, 'additionalProperties'), 'additionalProperties next to properties: '
                          'the other members are kept untyped (JSON) in _extra')
            return self.message(file, pointer, node, name_hint), nullable
        self.fail(pointer, f'unsupported schema {node!r:.60}', file)

    def _nullable(self, node):
        if not isinstance(node, dict):
            return False
        t = node.get('type')
        return bool(node.get('nullable')) or (isinstance(t, list) and 'null' in t) or \
            ('enum' in node and isinstance(node['enum'], list) and None in node['enum'])

    def _alias(self, key, t):
        self.by_pointer[key] = t
        return t

    def integer(self, node):
        fmt = node.get('format')
        if fmt == 'int32':
            return TypeRef('int32', fmt=fmt)
        return TypeRef('int64', fmt=fmt if isinstance(fmt, str) else None)

    def int_consts(self, node, vals, hint, names=None, descs=None):
        names = names or node.get('x-enum-varnames') or [f'V{v}' if v >= 0 else f'MINUS{-v}' for v in vals]
        descs = descs or node.get('x-enum-descriptions') or [''] * len(vals)
        prefix = f'{self.api.upper}_{enum_const(hint)}'
        ic = IntConsts(hint, prefix, [(f'{prefix}_{enum_const(n)}', v, d or '')
                                      for n, v, d in zip(names, vals, list(descs) + [''] * len(vals))])
        if not any(x.prefix == prefix for x in self.api.int_consts):
            self.api.int_consts.append(ic)
        return ic

    def container(self, kind, elem, elem_nullable):
        t = TypeRef(kind, elem=elem, elem_nullable=elem_nullable)
        k = t.fkey + ('_n' if elem_nullable else '')
        if k not in self.api.containers:
            t.cname = self.container_cname(t)
            self.api.containers[k] = t
        return self.api.containers[k]

    CONTAINER_SUFFIXES = ('', '_append', '_put', '_clear')

    def container_cname(self, t):
        """C type of a list / map: the runtime's pontes_<prim>_list / pontes_string_map, else
        <prefix>_<elem>_array / <prefix>_<elem>_map. Container names are reserved like schema
        names, so they never collide with a schema (a schema named FooArray keeps its name and
        the container becomes foo_array2), and a schema that is itself an array keeps its name."""
        if t.kind == 'array' and t.elem.kind in PRIMS and PRIMS[t.elem.kind][2]:
            return PRIMS[t.elem.kind][2]
        if t.kind == 'map' and t.elem.kind == 'string':
            return 'pontes_string_map'
        base = t.key
        if base in self.container_names:
            return self.container_names[base]
        name, n = base, 2
        while name in self.schema_snakes or any(name + sfx in self.names for sfx in self.CONTAINER_SUFFIXES):
            name = f'{base}{n}'
            n += 1
        for sfx in self.CONTAINER_SUFFIXES:
            self.names.add(name + sfx)
        self.container_names[base] = f'{self.api.prefix}_{name}'
        return self.container_names[base]

    def enum(self, file, pointer, node, vals, hint):
        key = (file, pointer)
        if key in self.by_pointer:
            return self.by_pointer[key]
        name = self.unique(hint, 'enum')
        sn = snake(name)
        cname = f'{self.api.prefix}_{sn}'
        consts, used = [], set()
        for v in vals:
            c = f'{self.api.upper}_{enum_const(name)}_{enum_const(v)}'
            base, n = c, 2
            while c in used:
                c = f'{base}_{n}'
                n += 1
            used.add(c)
            consts.append(c)
        if len(set(vals)) != len(vals):
            self.fail(join_pointer(pointer, 'enum'), 'enum values must be unique', file)
        descs = node.get('x-enum-descriptions') or [''] * len(vals)
        e = Enum(name, sn, cname, vals, consts, [str(d or '') for d in descs], str(node.get('description', '') or ''))
        self.api.enums.append(e)
        t = TypeRef('enum', named=e)
        self.by_pointer[key] = t
        return t

    def message(self, file, pointer, node, hint, box=False):
        key = (file, pointer)
        if key in self.by_pointer:
            return self.by_pointer[key]
        name = self.unique(hint)
        sn = snake(name)
        m = Message(name, sn, f'{self.api.prefix}_{sn}', description=str(node.get('description', '') or ''),
                    pointer=pointer)
        t = TypeRef('object', named=m)
        self.by_pointer[key] = t
        self.in_progress[key] = t
        self.api.messages.append(m)
        props, required = self.collect_props(file, pointer, node)
        self.msg_nodes[m.cname] = (file, pointer, node, props)
        self.fill_fields(m, props, required, name)
        m.one_of = self.one_of_constraints(file, pointer, node, m)
        m.envelope = self.envelope(file, pointer, node, m)
        if node.get('additionalProperties') is False:
            m.extra = True  # still kept: a server may add members later
        del self.in_progress[key]
        return t

    REQUIRED_ONLY_KEYS = {'required', 'description', 'title', '$comment'}

    def required_only_alts(self, file, pointer, node):
        """The member lists of `oneOf: [{required: [a]}, {required: [b]}]` (alternatives that only
        list required members: "exactly one of a, b"), or None when node's oneOf is another kind."""
        alts = node.get('oneOf')
        if not isinstance(alts, list) or len(alts) < 2:
            return None
        out = []
        for i, a in enumerate(alts):
            _, _, an = self.doc.deref(file, join_pointer(pointer, 'oneOf', i), a)
            if not isinstance(an, dict) or not an or not set(an) <= self.REQUIRED_ONLY_KEYS:
                return None
            req = an.get('required')
            if not isinstance(req, list) or not req or not all(isinstance(x, str) for x in req):
                return None
            out.append([str(x) for x in req])
        return out

    def one_of_constraints(self, file, pointer, node, m):
        """Exactly-one-of constraints of an object schema (its own oneOf and those of its allOf
        parts) as lists of field indexes per alternative. A member that is not a property is an
        error (the C struct has nowhere to look)."""
        found = []

        def walk(f, p, n, depth=0):
            if not isinstance(n, dict) or depth > 16:
                return
            alts = self.required_only_alts(f, p, n)
            if alts is not None:
                found.append((f, p, alts))
            for i, sub in enumerate(n.get('allOf') or []):
                sp = join_pointer(p, 'allOf', i)
                sf, spp, sn = self.doc.deref(f, sp, sub)
                walk(sf, spp, sn, depth + 1)

        walk(file, pointer, node)
        index = {fl.json_name: i for i, fl in enumerate(m.fields)}
        out = []
        for f, p, alts in found:
            group = []
            for i, names in enumerate(alts):
                for k, nm in enumerate(names):
                    if nm not in index:
                        self.fail(join_pointer(p, 'oneOf', i, 'required', k),
                                  f"exactly-one-of member '{nm}' is not a property of {m.name}", f)
                group.append([index[nm] for nm in names])
            out.append(group)
        return out

    def collect_props(self, file, pointer, node):
        """Properties (json name -> (file, pointer, schema)) and required set, allOf merged."""
        props, required = {}, set()
        for sub_i, sub in enumerate(node.get('allOf') or []):
            sp = join_pointer(pointer, 'allOf', sub_i)
            sf, spp, sn = self.doc.deref(file, sp, sub)
            if not isinstance(sn, dict):
                self.fail(sp, 'allOf entry must be a schema', file)
            p2, r2 = self.collect_props(sf, spp, sn)
            props.update(p2)
            required |= r2
        for pname, ps in (node.get('properties') or {}).items():
            props[pname] = (file, join_pointer(pointer, 'properties', pname), ps)
        req = node.get('required') or []
        if not isinstance(req, list):
            self.fail(join_pointer(pointer, 'required'), 'required must be a list', file)
        required |= set(req)
        return props, required

    def fill_fields(self, m, props, required, owner):
        used = {'_extra'}
        for pname, (pf, pp, ps) in props.items():
            t, nullable = self.schema_n(pf, pp, ps, owner + pascal(pname))
            cn = c_ident(pname)
            base, n = cn, 2
            # members are named per property (never merged: processUniqueId and processUniqueID are
            # process_unique_id and process_unique_id_2, in spec order); a name, its has_ and (numbers
            # that may be strings) its wire_ member must all be free
            claims = (lambda c: (c, 'has_' + c, 'wire_' + c)) if t.kind in WIRE_KINDS else (lambda c: (c, 'has_' + c))
            while any(x in used for x in claims(cn)):
                cn = f'{base}_{n}'
                n += 1
            used.update(claims(cn))
            desc = ''
            ro = wo = dep = False
            if isinstance(ps, dict):
                desc = ps.get('description') or ps.get('title') or ''
                ro, wo, dep = bool(ps.get('readOnly')), bool(ps.get('writeOnly')), bool(ps.get('deprecated'))
                if not desc and '$ref' in ps:
                    _, _, tgt = self.doc.deref(pf, pp, ps)
                    if isinstance(tgt, dict):
                        desc = tgt.get('description') or tgt.get('title') or ''
                if not desc and isinstance(ps.get('allOf'), list):  # allOf [$ref, {description}]
                    for k, part in enumerate(ps['allOf']):
                        _, _, pn = self.doc.deref(pf, join_pointer(pp, 'allOf', k), part)
                        if isinstance(pn, dict) and (pn.get('description') or pn.get('title')):
                            desc = pn.get('description') or pn.get('title')
                            if '$ref' not in part:
                                break
            m.fields.append(Field(pname, cn, t, pname in required, nullable, str(desc), ro, wo, dep,
                                  secret=self.is_secret(pf, pp, ps), file_rule=self.file_rule(pf, pp, ps, t)))
        missing = required - set(props)
        for r in sorted(missing):
            self.warn(m.pointer, f"required member '{r}' is not among the properties (ignored)")
            m.fields  # no field to attach to

    def file_rule(self, file, pointer, node, t, depth=0):
        """x-pontes-file {max_bytes, magic} on a format: byte / binary property (or the schema it
        $refs): (max_bytes or 0, magic as bytes or b''), checked by the runtime before sending."""
        if not isinstance(node, dict) or depth > 16:
            return None
        if 'x-pontes-file' not in node:
            if '$ref' in node:
                f2, p2, n2 = self.doc.deref(file, pointer, node)
                return self.file_rule(f2, p2, n2, t, depth + 1)
            return None
        xp = join_pointer(pointer, 'x-pontes-file')
        rule = node['x-pontes-file']
        if not isinstance(rule, dict) or not rule:
            self.fail(xp, 'x-pontes-file must be a mapping with max_bytes and/or magic', file)
        unknown = sorted(set(rule) - {'max_bytes', 'magic'})
        if unknown:
            self.fail(join_pointer(xp, unknown[0]), f'unknown x-pontes-file key {unknown[0]!r} (known: max_bytes, magic)',
                      file)
        if t.kind not in ('bytes', 'file'):
            self.fail(xp, f'x-pontes-file applies to a file (format: byte or binary), not to {t.describe()}', file)
        mb = rule.get('max_bytes', 0)
        if 'max_bytes' in rule and (isinstance(mb, bool) or not isinstance(mb, int) or mb <= 0 or mb >= 2 ** 63):
            self.fail(join_pointer(xp, 'max_bytes'),
                      f'x-pontes-file max_bytes must be a positive integer (bytes), got {mb!r}', file)
        magic = rule.get('magic', '')
        if 'magic' in rule and (not isinstance(magic, str) or not magic):
            self.fail(join_pointer(xp, 'magic'),
                      f'x-pontes-file magic must be a non-empty string (the first bytes of the file), got {magic!r}', file)
        mbytes = magic.encode('utf-8')
        if len(mbytes) > 64:
            self.fail(join_pointer(xp, 'magic'), f'x-pontes-file magic is {len(mbytes)} bytes (at most 64)', file)
        return (mb, mbytes)

    def is_secret(self, file, pointer, node, depth=0):
        """format: password or x-pontes-secret: true on a property (or the schema it $refs / its allOf parts)."""
        if not isinstance(node, dict) or depth > 16:
            return False
        sec = node.get('x-pontes-secret')
        if sec is not None and not isinstance(sec, bool):
            self.fail(join_pointer(pointer, 'x-pontes-secret'), 'x-pontes-secret must be true or false', file)
        if sec is not None:
            return sec
        if node.get('format') == 'password':
            return True
        if '$ref' in node:
            f2, p2, n2 = self.doc.deref(file, pointer, node)
            return self.is_secret(f2, p2, n2, depth + 1)
        for k, part in enumerate(node['allOf'] if isinstance(node.get('allOf'), list) else []):
            pp = join_pointer(pointer, 'allOf', k)
            f2, p2, n2 = self.doc.deref(file, pp, part)
            if self.is_secret(f2, p2, n2, depth + 1):
                return True
        return False

    def find_envelope(self, file, pointer, node, depth=0):
        """(file, pointer, value) of x-pontes-envelope on an object schema or one of its allOf parts."""
        if not isinstance(node, dict) or depth > 16:
            return None
        if 'x-pontes-envelope' in node:
            return file, join_pointer(pointer, 'x-pontes-envelope'), node['x-pontes-envelope']
        for k, part in enumerate(node['allOf'] if isinstance(node.get('allOf'), list) else []):
            f2, p2, n2 = self.doc.deref(file, join_pointer(pointer, 'allOf', k), part)
            found = self.find_envelope(f2, p2, n2, depth + 1)
            if found:
                return found
        return None

    def envelope(self, file, pointer, node, m):
        """x-pontes-envelope {code, message, success}: a 2xx body with this schema at its root is a
        failure (PONTES_EPROVIDER) when its `code` member is not `success` (compared as text)."""
        found = self.find_envelope(file, pointer, node)
        if not found:
            return None
        ef, ep, ev = found
        if not isinstance(ev, dict):
            self.fail(ep, 'x-pontes-envelope must be a mapping {code, message, success}', ef)
        unknown = sorted(set(map(str, ev)) - {'code', 'message', 'success'})
        if unknown:
            self.fail(join_pointer(ep, unknown[0]), f"unknown x-pontes-envelope key '{unknown[0]}' "
                      '(expected code, message, success)', ef)
        by_name = {f.json_name: f for f in m.fields}
        out = {}
        for key in ('code', 'message'):
            v = ev.get(key)
            if v is None:
                if key == 'code':
                    self.fail(ep, 'x-pontes-envelope needs code (the member holding the result code)', ef)
                out[key] = None
                continue
            if not isinstance(v, str) or not v:
                self.fail(join_pointer(ep, key), f'x-pontes-envelope {key} must be a member name', ef)
            f = by_name.get(v)
            if f is None:
                self.fail(join_pointer(ep, key), f"x-pontes-envelope {key} '{v}' is not a property of the schema "
                          f"(properties: {', '.join(sorted(by_name)) or 'none'})", ef)
            if f.type.kind in ('object', 'array', 'map', 'bytes', 'file'):
                self.fail(join_pointer(ep, key), f"x-pontes-envelope {key} '{v}' must be a string or a number, "
                          f'not {f.type.describe()}', ef)
            out[key] = v
        s = ev.get('success')
        if isinstance(s, bool) or not isinstance(s, (str, int)) or s == '':
            self.fail(join_pointer(ep, 'success'), "x-pontes-envelope success must be the code's text on success "
                      "(a string such as '0', or an integer)", ef)
        out['success'] = str(s)
        return out

    def all_of(self, file, pointer, node, hint, named, nullable):
        subs = node['allOf']
        if not isinstance(subs, list) or not subs:
            self.fail(join_pointer(pointer, 'allOf'), 'allOf must be a non-empty list', file)
        if len(subs) == 1 and not node.get('properties') and not named:
            t, n = self.schema_n(file, join_pointer(pointer, 'allOf', 0), subs[0], hint)
            return t, n or nullable  # e.g. {allOf: [$ref], nullable: true}
        prim = self.all_of_primitive(file, pointer, node, subs, hint)
        if prim is not None:
            t, n = prim
            return t, n or nullable
        # only objects can be merged
        for i, s in enumerate(subs):
            sf, sp, sn = self.doc.deref(file, join_pointer(pointer, 'allOf', i), s)
            if isinstance(sn, dict) and sn.get('type') not in (None, 'object') and 'allOf' not in sn:
                if len(subs) == 1:
                    t, n = self.schema_n(sf, sp, sn, hint)
                    return t, n or nullable
                self.fail(join_pointer(pointer, 'allOf', i), 'allOf of non-object schemas is not supported', file)
            if isinstance(sn, dict) and self._nullable(sn):
                nullable = True
        return self.message(file, pointer, node, hint), nullable

    CONSTRAINT_KEYS = {'description', 'title', 'pattern', 'maxLength', 'minLength', 'format', 'minimum', 'maximum',
                       'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'example', 'examples', 'default',
                       'deprecated', 'readOnly', 'writeOnly', 'nullable', 'externalDocs', '$comment',
                       'contentMediaType'}

    def all_of_primitive(self, file, pointer, node, subs, hint):
        """allOf of one string/number/integer/boolean schema (typically a $ref) and parts that
        only constrain or describe it (pattern, maxLength, format, description...): the
        referenced primitive type (an enum stays that enum); a part's format applies to a
        string without one. None when the allOf is something else."""
        if node.get('properties') or node.get('type') == 'object':
            return None
        base, fmt, nullable, merged = None, None, False, {}
        for i, sub in enumerate(subs):
            sp = join_pointer(pointer, 'allOf', i)
            sf, spp, sn = self.doc.deref(file, sp, sub)
            if not isinstance(sn, dict):
                return None
            keys = {k for k in sn if not str(k).startswith('x-')}
            if isinstance(sub, dict) and '$ref' not in sub and keys <= self.CONSTRAINT_KEYS | {'type'} and \
                    sn.get('type', 'string') in ('string', 'number', 'integer', 'boolean'):
                if isinstance(sn.get('format'), str):
                    fmt = fmt or sn['format']
                nullable = nullable or self._nullable(sn)
                merged.update(sn)
                continue
            ty = sn.get('type')
            if isinstance(ty, list):
                ty = [x for x in ty if x != 'null']
                ty = ty[0] if len(ty) == 1 else None
            if base is not None or ty not in ('string', 'number', 'integer', 'boolean') or \
                    any(k in sn for k in ('properties', 'allOf', 'oneOf', 'anyOf', 'items')):
                return None  # checked before schema_n: no types are made for an allOf of objects
            t, n = self.schema_n(file, sp, sub, hint)
            if t.kind not in ('string', 'int32', 'int64', 'double', 'bool', 'enum', 'bytes', 'decimal',
                              'decimal_string'):
                return None
            base, nullable = t, nullable or n
        if base is None:
            if 'type' not in merged:
                return None
            base, n = self.schema_n(file, pointer, merged, hint)  # e.g. [{type: string}, {maxLength: 9}]
            return base, nullable or n
        t = base
        if t.kind == 'string' and not t.fmt and fmt:
            if fmt == 'byte':
                t = TypeRef('bytes', fmt='byte')
            elif fmt != 'binary':
                t = TypeRef('string', fmt=fmt)
        if t.kind in ('string', 'double') and (fmt == 'decimal' or merged.get('x-pontes-money') is True):
            t = TypeRef('decimal_string' if t.kind == 'string' else 'decimal', fmt='decimal')
        return t, nullable

    def union(self, file, pointer, node, comb, alts, hint, nullable):
        key = (file, pointer)
        if key in self.by_pointer:
            return self.by_pointer[key], nullable
        name = self.unique(hint, 'union')
        sn = snake(name)
        u = Union(name, sn, f'{self.api.prefix}_{sn}', [], None, str(node.get('description', '') or ''))
        t = TypeRef('union', named=u)
        self.by_pointer[key] = t
        self.in_progress[key] = t
        disc = node.get('discriminator')
        mapping = {}
        if disc is not None:
            if not isinstance(disc, dict) or not isinstance(disc.get('propertyName'), str):
                self.fail(join_pointer(pointer, 'discriminator'), 'discriminator needs a propertyName', file)
            u.discriminator = disc['propertyName']
            for val, ref in (disc.get('mapping') or {}).items():
                ref2 = ref if '#' in ref or '/' in ref else f'#/components/schemas/{ref}'
                tf, tp = self.doc.resolve_ref(file, ref2, join_pointer(pointer, 'discriminator', 'mapping', val))
                mapping[(tf, tp)] = str(val)
        used = set()
        for i, a in alts:
            ap = join_pointer(pointer, comb, i) if comb else pointer + f'/type/{i}'
            label = None
            target = None
            if isinstance(a, dict) and '$ref' in a:
                target = self.doc.resolve_ref(file, a['$ref'], join_pointer(ap, '$ref'))
                label = pascal(target[1].rsplit('/', 1)[-1])
            vt, vn = self.schema_n(file, ap, a, name + (label or f'Option{i + 1}'))
            if label is None:
                label = vt.named.name if vt.named else {'int64': 'Int64', 'int32': 'Int32', 'double': 'Number',
                                                        'bool': 'Bool', 'string': 'String', 'any': 'Any',
                                                        'bytes': 'Bytes', 'file': 'File'}.get(vt.kind, pascal(vt.key))
            member = c_ident(label)
            base, n = member, 2
            while member in used:
                member = f'{base}_{n}'
                n += 1
            used.add(member)
            mval = None
            if u.discriminator:
                if vt.kind != 'object':
                    self.fail(ap, 'with a discriminator every oneOf alternative must be an object schema', file)
                mval = mapping.get(target) if target else None
                if mval is None:
                    mval = target[1].rsplit('/', 1)[-1] if target else label
            u.variants.append(Variant(member, label, f'{self.api.upper}_{enum_const(name)}_{enum_const(member)}',
                                      vt, mval))
        self.api.unions.append(u)
        del self.in_progress[key]
        return t, nullable

    # -- roots (bodies) ---------------------------------------------------
    def root_of(self, t, hint, key, pointer):
        """A decodable root (Message/Union) for a body of type t; boxes non-objects.
        Boxes are shared by key (the $ref target, or the body's own pointer)."""
        if t.kind in ('object', 'union'):
            return t.named
        if key in self.boxes:
            return self.boxes[key]
        name = self.unique(hint)
        sn = snake(name)
        m = Message(name, sn, f'{self.api.prefix}_{sn}', box=True, pointer=pointer,
                    description=f'Box for a top-level {t.describe()} body.', extra=False)
        m.fields.append(Field('', 'value', t, False, True, ''))
        self.api.messages.append(m)
        self.boxes[key] = m
        return m

    def body_root(self, file, pointer, schema, hint):
        t, _ = self.schema_n(file, pointer, schema, hint)
        name, key = hint, (file, pointer)
        if isinstance(schema, dict) and '$ref' in schema:
            key = self.doc.resolve_ref(file, schema['$ref'], join_pointer(pointer, '$ref'))
            name = pascal(key[1].rsplit('/', 1)[-1])
        return self.root_of(t, name, key, pointer)

    # -- operations ------------------------------------------------------
    def param(self, file, ptr, p, oppath):
        f, pp, p = self.doc.deref(file, ptr, p)
        if not isinstance(p, dict) or 'name' not in p or 'in' not in p:
            self.fail(ptr, "parameter needs 'name' and 'in'", f)
        loc = p['in']
        if loc not in ('path', 'query', 'header', 'cookie'):
            self.fail(join_pointer(ptr, 'in'), f"unknown parameter location {loc!r}", f)
        sch = p.get('schema')
        kind = 'string'
        if sch is not None:
            sf, sp, s = self.doc.deref(f, join_pointer(pp, 'schema'), sch)
            t = s.get('type') if isinstance(s, dict) else None
            if isinstance(t, list):
                t = [x for x in t if x != 'null']
                t = t[0] if len(t) == 1 else None
            if t == 'integer':
                kind = 'int64'
            elif t == 'number':
                kind = 'string' if is_money(s) else 'double'  # money: decimal text, never a double
            elif t == 'boolean':
                kind = 'bool'
            elif t == 'array':
                kind = 'string_list'
                it = s.get('items') if isinstance(s, dict) else None
                _, _, it = self.doc.deref(sf, join_pointer(sp, 'items'), it) if isinstance(it, dict) else (0, 0, it)
                if isinstance(it, dict) and it.get('type') not in (None, 'string'):
                    self.warn(join_pointer(pp, 'schema', 'items'), f"parameter '{p['name']}': {it.get('type')} "
                              "items are passed as strings (a pontes_string_list: the caller formats them)")
            elif t == 'object' or (isinstance(s, dict) and ('properties' in s or 'additionalProperties' in s)):
                self.warn(join_pointer(pp, 'schema'), f"parameter '{p['name']}' is an object: it is passed as one "
                          "string that the caller serializes (no deepObject/form exploding)")
        elif 'content' in p:
            self.warn(join_pointer(pp, 'content'), f"parameter '{p['name']}' has a content type: it is passed as "
                      "a string that the caller serializes")
        req = bool(p.get('required')) or loc == 'path'
        return Param(p['name'], c_ident(p['name']), loc, kind, req, str(p.get('description', '') or ''))

    def operation(self, path, method, item, ptr):
        op = item[method]
        if not isinstance(op, dict):
            self.fail(ptr, 'operation must be a mapping')
        op_id = op.get('operationId') or snake(method + ' ' + re.sub(r'[{}]', '', path))
        if not isinstance(op_id, str) or not op_id:
            self.fail(join_pointer(ptr, 'operationId'), 'operationId must be a string')
        sn = snake(op_id)
        params = {}
        for i, p in enumerate(item.get('parameters') or []):
            pr = self.param(self.file, join_pointer(ptr[:ptr.rfind('/')], 'parameters', i), p, path)
            params[(pr.location, pr.name)] = pr
        for i, p in enumerate(op.get('parameters') or []):
            pr = self.param(self.file, join_pointer(ptr, 'parameters', i), p, path)
            params[(pr.location, pr.name)] = pr
        tmpl_vars = re.findall(r'{([^}]+)}', path)
        path_params = []
        for v in tmpl_vars:
            if ('path', v) not in params:
                self.fail(ptr, f"path template variable '{{{v}}}' has no path parameter")
            path_params.append(params[('path', v)])
        for (loc, name), pr in params.items():
            if loc == 'path' and name not in tmpl_vars:
                self.fail(ptr, f"path parameter '{name}' does not appear in the path {path!r}")
        other = [p for (loc, _), p in params.items() if loc != 'path']
        used = set(p.cname for p in path_params) | {'c', 'out', 'body', 'params', 'rc', 'r'}
        for p in path_params + other:
            base, n = p.cname, 2
            while p.cname in used and p not in path_params:
                p.cname = f'{base}_{n}'
                n += 1
            if p.cname in {'c', 'out', 'body', 'params', 'rc', 'r'}:
                p.cname += '_'
            used.add(p.cname)
        bodies = []
        skipped_media = []
        notes = []
        rb = op.get('requestBody')
        if rb is not None:
            rbp = join_pointer(ptr, 'requestBody')
            rf, rbp2, rb = self.doc.deref(self.file, rbp, rb)
            content = rb.get('content') or {}
            for media, mo in content.items():
                mp = join_pointer(rbp2, 'content', media)
                kind = self.body_kind(media)
                if kind is None:
                    self.warn(mp, f"media type {media!r} is not supported: no function sends this body")
                    skipped_media.append(media)
                    continue
                sch = (mo or {}).get('schema', {})
                if self.is_jose(media):
                    root = self.jose_box(mp, sch, rf, 'request')
                    if any(b.body_kind == kind for b in bodies):
                        continue
                    suffix = '' if not bodies else '_text'
                    bodies.append(Body(suffix, media, kind, root, bool(rb.get('required', False))))
                    continue
                root = self.body_root(rf, join_pointer(mp, 'schema'), sch, pascal(op_id) + 'Request')
                if kind in ('PONTES_BODY_FORM', 'PONTES_BODY_MULTIPART') and root.box:
                    self.fail(join_pointer(mp, 'schema'), f'a {media} body must be an object schema', rf)
                if kind in ('PONTES_BODY_TEXT', 'PONTES_BODY_BINARY') and not root.box:
                    self.warn(join_pointer(mp, 'schema'), f'{media} body is an object: sent as JSON text')
                same = next((b for b in bodies if b.body_kind == kind), None)
                if same is not None:
                    if same.root is not root:
                        self.warn(mp, f"a second {kind[12:].lower()} media type with another schema: {media!r} is "
                                      f"not sent (the function sends {same.media!r})")
                    continue
                suffix = '' if not bodies else '_' + {'PONTES_BODY_JSON': 'json', 'PONTES_BODY_FORM': 'form',
                                                      'PONTES_BODY_MULTIPART': 'multipart',
                                                      'PONTES_BODY_TEXT': 'text',
                                                      'PONTES_BODY_BINARY': 'binary'}[kind]
                bodies.append(Body(suffix, media, kind, root, bool(rb.get('required', False))))
                self.collect_examples(mo, mp, root, rf, f'{op_id} request {media}')
        if rb is not None and not bodies and skipped_media and bool(rb.get('required', False)):
            self.warn(ptr, f"operation '{op_id}' is not generated: its required request body has no supported "
                           f"media type ({', '.join(skipped_media)})")
            return None
        responses = []
        success, success_status = None, 0
        accept = None
        results = []  # (status, code, root) of 2xx responses with a body
        resps = op.get('responses')
        if not isinstance(resps, dict) or not resps:
            self.fail(join_pointer(ptr, 'responses'), 'an operation needs responses')
        for code, r in resps.items():
            rp = join_pointer(ptr, 'responses', code)
            code_s = str(code)
            if code_s == 'default':
                status = 0
            elif re.match(r'^[1-5]XX$', code_s, re.I):
                status = int(code_s[0])
            elif re.match(r'^[1-5]\d\d$', code_s):
                status = int(code_s)
            else:
                self.fail(rp, f'invalid response code {code_s!r}')
            rf, rp2, r = self.doc.deref(self.file, rp, r)
            root = None
            content = (r or {}).get('content') or {}
            is_success = 200 <= status < 300 or status == 2
            json_media = [m for m in content if self.body_kind(m) == 'PONTES_BODY_JSON']
            jose_media = [m for m in content if self.is_jose(m)]
            if not json_media and jose_media:
                mp = join_pointer(rp2, 'content', jose_media[0])
                root = self.jose_box(mp, (content[jose_media[0]] or {}).get('schema', {}), rf, 'response')
                if is_success:
                    accept = accept or jose_media[0]
            elif not json_media and content and is_success:
                self.warn(rp, f"the {code_s} body ({', '.join(content)}) is not JSON: it is not decoded "
                              "(the call succeeds without a value)")
                notes.append(f"The {code_s} body ({', '.join(content)}) is not decoded.")
            for media, mo in content.items():
                if self.body_kind(media) != 'PONTES_BODY_JSON' or root is not None:
                    continue
                mp = join_pointer(rp2, 'content', media)
                sch = (mo or {}).get('schema', {})
                root = self.body_root(rf, join_pointer(mp, 'schema'), sch,
                                      pascal(op_id) + ('Response' if 200 <= status < 300 or status == 2
                                                       else f'Error{code_s}'))
                self.collect_examples(mo, mp, root, rf, f'{op_id} response {code_s}')
                break
            if is_success and root is not None:
                if success is None:
                    success, success_status = root, status
                results.append((status, code_s, root))
            responses.append(Response(status, code_s, root, str((r or {}).get('description', '') or '')))
        sec = op.get('security', self.root.get('security') or [])
        security = []
        for i, req in enumerate(sec or []):
            if not isinstance(req, dict):
                self.fail(join_pointer(ptr, 'security', i), 'security requirement must be a mapping')
            if not req:
                security = []  # {} = anonymous allowed: no auth needed
                break
            usable = [n for n in req if n in self.schemes and self.schemes[n] is not None]
            # several schemes in one requirement: all are sent (pontes_security_req.group)
            group = i + 1 if len(usable) > 1 else 0
            for sname in req:
                if sname not in self.schemes:
                    self.fail(join_pointer(ptr, 'security', i), f"unknown security scheme '{sname}'")
                s = self.schemes[sname]
                if s is not None:
                    roles = req[sname] or []
                    if not isinstance(roles, list) or not all(isinstance(x, str) for x in roles):
                        self.fail(join_pointer(ptr, 'security', i, sname), 'roles must be a list of strings')
                    prof = s[3] if len(s) > 3 else None
                    if prof and prof['style'] == 'oauth-params':
                        for r in roles:
                            if r not in prof['roles']:
                                self.fail(join_pointer(ptr, 'security', i, sname),
                                          f"role {r!r} is not declared in x-pontes-auth roles of scheme {sname} "
                                          f"({prof['pointer']}): one of " + ', '.join(prof['roles']))
                    security.append((sname,) + tuple(s[:3]) + (group, [str(x) for x in roles], prof))
        group = op.get('x-pontes-server-group')
        default_server = None
        if op.get('servers'):
            default_server = self.server_url(op['servers'][0])
            if not group:
                group = sn
        elif item.get('servers'):
            default_server = self.server_url(item['servers'][0])
            if not group:
                group = sn
        tags = [str(t) for t in (op.get('tags') or [])]
        if skipped_media:
            notes.append('Request media types not supported by pontes (no function for them): '
                         + ', '.join(skipped_media) + '.')
        o = Operation(op_id, sn, method.upper(), path, str(op.get('summary', '') or ''),
                      str(op.get('description', '') or ''), bool(op.get('deprecated')), path_params, other,
                      bodies, responses, success, success_status, security, group, default_server, tags, notes)
        o.accept = accept
        o.idempotent = method.upper() in ('GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE')
        if 'x-pontes-idempotent' in op:
            xi = op['x-pontes-idempotent']
            if not isinstance(xi, bool):
                self.fail(join_pointer(ptr, 'x-pontes-idempotent'), f'must be true or false, got {xi!r}')
            o.idempotent = xi
            o.side_effect = not xi
        if len({id(x[2]) for x in results}) > 1:
            o.results = self.op_results(o, results)
        if 'x-pontes-pagination' in op:
            o.pagination = self.pagination(o, op['x-pontes-pagination'], join_pointer(ptr, 'x-pontes-pagination'))
        return o

    # -- x-pontes-pagination (generated <api>_<op>_iter_*; runtime/src/pager.c) ----------------
    PAGINATION_KEYS = {  # style -> (required keys, optional keys), 'style' aside
        'keyset': (('items', 'cursor_param', 'cursor_from'), ('limit_param', 'has_more', 'total')),
        'page': (('items', 'page_param'), ('size_param', 'first_page', 'total', 'count')),
        'offset': (('items', 'offset_param'), ('limit_param', 'total')),
    }

    def pagination(self, o, xp, ptr):
        """x-pontes-pagination {style, items, ...} of list operation o: validated against the
        operation's query parameters and its 200 body; the dict the templates use."""
        if not isinstance(xp, dict):
            self.fail(ptr, 'x-pontes-pagination must be a mapping {style, items, ...}')
        style = xp.get('style')
        if style not in self.PAGINATION_KEYS:
            self.fail(join_pointer(ptr, 'style'), f'unknown x-pontes-pagination style {style!r} (supported: '
                      + ', '.join(sorted(self.PAGINATION_KEYS)) + ')')
        req, opt = self.PAGINATION_KEYS[style]
        for k in xp:
            if k != 'style' and k not in req + opt:
                self.fail(join_pointer(ptr, str(k)), f'unknown x-pontes-pagination key {k!r} for style {style} '
                          '(known: style, ' + ', '.join(req + opt) + ')')
        for k in req:
            if k not in xp:
                self.fail(ptr, f'x-pontes-pagination style {style} needs {k!r}')
        for k, v in xp.items():
            if k not in ('style', 'first_page') and (not isinstance(v, str) or not v):
                self.fail(join_pointer(ptr, k), f'x-pontes-pagination {k} must be a name (a non-empty string), '
                          f'got {v!r}')
        first_page = xp.get('first_page', 1)
        if isinstance(first_page, bool) or not isinstance(first_page, int) or first_page < 0:
            self.fail(join_pointer(ptr, 'first_page'), f'first_page must be an integer >= 0, got {first_page!r}')
        if o.bodies:
            self.fail(ptr, f'{o.op_id} has a request body: x-pontes-pagination supports operations without one')
        r200 = next((r for r in o.responses if r.status == 200), None)
        body = r200.root if r200 is not None else None
        if not isinstance(body, Message) or body.text:
            self.fail(ptr, f'{o.op_id} has no 200 response with a JSON body: x-pontes-pagination needs one '
                      '(each page is a 200 body)')
        if o.results or o.success is not body:
            self.fail(ptr, f'{o.op_id}: its 2xx responses have several types; x-pontes-pagination needs the 200 '
                      'body to be the only success body')

        def members(m):
            return ', '.join(f.json_name for f in m.fields if f.json_name) or 'none'

        def member(key, kinds, what, m=body, where=None):
            name = xp.get(key)
            if name is None:
                return None
            f = next((x for x in m.fields if x.json_name and x.json_name == name), None)
            where = where or f'the 200 response schema of {o.op_id} ({m.name})'
            if f is None:
                self.fail(join_pointer(ptr, key), f'{key} {name!r} is not a member of {where} (members: {members(m)})')
            if f.type.kind not in kinds:
                self.fail(join_pointer(ptr, key), f'{key} {name!r} is {f.type.describe()}, not {what}')
            return f
        items = xp['items']
        if items == '$':
            if not body.box or body.fields[0].type.kind != 'array':
                self.fail(join_pointer(ptr, 'items'), f"items '$' means the 200 body is an array, but the 200 body "
                          f"of {o.op_id} is {body.fields[0].type.describe() if body.box else 'an object (' + body.name + ')'}")
            arr = body.fields[0].type
        else:
            if body.box:
                self.fail(join_pointer(ptr, 'items'), f"items {items!r} is not a member of the 200 response schema "
                          f"of {o.op_id}: the body is {body.fields[0].type.describe()} (for a bare array body use "
                          "items: '$')")
            arr = member('items', ('array',), 'an array').type
        elem = arr.elem
        has_more = member('has_more', ('bool',), 'a boolean')
        total = member('total', ('int32', 'int64'), 'an integer')
        count = member('count', ('int32', 'int64'), 'an integer')
        cursor_from = None
        if style == 'keyset':
            if elem.kind != 'object':
                self.fail(join_pointer(ptr, 'cursor_from'), f"cursor_from needs object items; the items of "
                          f"{o.op_id} are {elem.describe()}")
            cursor_from = member('cursor_from', ('string', 'int32', 'int64'), 'a string or an integer', elem.named,
                                 f'the item schema {elem.named.name}')
        used = {}

        def qparam(key, kinds, what):
            name = xp.get(key)
            if name is None:
                return None
            prm = next((x for x in o.params if x.name == name and x.location == 'query'), None)
            if prm is None:
                qs = ', '.join(x.name for x in o.params if x.location == 'query') or 'none'
                self.fail(join_pointer(ptr, key), f'{key} {name!r} is not a query parameter of {o.op_id} (query '
                          f'parameters: {qs})')
            if prm.kind not in kinds:
                is_a = {'int64': 'an integer', 'string': 'a string', 'double': 'a number', 'bool': 'a boolean',
                        'string_list': 'an array'}[prm.kind]
                self.fail(join_pointer(ptr, key), f'{key} {name!r} must be {what} query parameter (it is {is_a})')
            if name in used:
                self.fail(join_pointer(ptr, key), f'{key} {name!r} is also {used[name]}')
            used[name] = key
            return prm
        out = dict(style=style, key=str(style), root=body, elem=elem, items=None if items == '$' else items,
                   cursor_from=xp.get('cursor_from'), has_more=has_more and has_more.json_name,
                   total=total and total.json_name, count=count and count.json_name, first_page=first_page,
                   limit=qparam('limit_param', ('int64',), 'an integer'),
                   cursor=qparam('cursor_param', ('string', 'int64'), 'a string or an integer'),
                   page=qparam('page_param', ('int64',), 'an integer'),
                   size=qparam('size_param', ('int64',), 'an integer'),
                   offset=qparam('offset_param', ('int64',), 'an integer'))
        if out['cursor'] is not None and out['cursor'].kind == 'int64' and cursor_from.type.kind == 'string':
            self.fail(join_pointer(ptr, 'cursor_param'), f"cursor_param {xp['cursor_param']!r} is an integer but "
                      f"cursor_from {xp['cursor_from']!r} is a string")
        out['number'] = out['page'] or out['offset']       # what the runtime sets per page (page / offset)
        out['page_size'] = out['limit'] or out['size']     # the caller's page size, if any
        # C signatures (templates/pager.h.j2 and the ABI lock): _next hands out object, union, string and
        # any items as the value itself, other items as a pointer to the element
        p, it = self.api.prefix, f'{self.api.prefix}_{o.snake}_iter'
        if elem.kind in ('object', 'union', 'enum'):
            base = elem.named.cname
        elif elem.kind in PRIMS:
            base = PRIMS[elem.kind][0]
            base = base[len('const '):] if base.startswith('const ') else base
            base = base[:-1].rstrip() if base.endswith('*') else base
        else:
            base = elem.cname
        item = f'const {base} **item'
        args = [f'{p}_client *c'] + [('int64_t ' if x.kind == 'int64' else 'const char *') + x.cname
                                     for x in o.path_params]
        args += [f'const {p}_{o.snake}_params *params', 'const pontes_call_options *opts', f'{it} **out']
        out['functions'] = [  # (name, return type, arguments)
            (f'{it}_new', 'int', args),
            (f'{it}_next', 'int', [f'{it} *it', item]),
            (f'{it}_free', 'void', [f'{it} *it']),
            (f'{it}_total', 'int64_t', [f'const {it} *it']),
            (f'{it}_pages', 'size_t', [f'const {it} *it']),
            (f'{it}_error', 'const pontes_error *', [f'const {it} *it']),
            (f'{it}_page', f'const {body.cname} *', [f'const {it} *it']),
        ]
        return out

    def op_results(self, op, results):
        """2xx responses of several types: one result member per type, in spec order:
        (member, kind constant, root, [status ints], [codes])."""
        out, used = [], {'kind', 'http_status', 'u'}
        for status, code, root in results:
            for x in out:
                if x[2] is root:
                    x[3].append(status)
                    x[4].append(code)
                    break
            else:
                member = c_ident(root.snake)
                base, n = member, 2
                while member in used:
                    member = f'{base}_{n}'
                    n += 1
                used.add(member)
                out.append((member, f'{self.api.upper}_{enum_const(op.snake)}_RESULT_{enum_const(member)}', root,
                            [status], [code]))
        for sfx in ('_result', '_result_clear', '_result_kind'):
            self.names.add(op.snake + sfx)
        return out

    JOSE_MEDIA = ('application/jwt', 'application/jose', 'application/jose+jwe', 'application/jws', 'application/jwe')

    def is_jose(self, media):
        return media.split(';')[0].strip().lower() in self.JOSE_MEDIA

    def jose_box(self, mp, sch, file, what):
        """The one text box of JWT/JOSE bodies (compact serialization: a string in, a string out)."""
        if isinstance(sch, dict) and sch:
            _, _, tgt = self.doc.deref(file, join_pointer(mp, 'schema'), sch)
            if isinstance(tgt, dict) and tgt.get('type') not in (None, 'string'):
                self.warn(join_pointer(mp, 'schema'), f'the {what} is a JWT/JOSE text: its schema (the claims) '
                                                      'is not checked, the body is passed as a string')
        if ('jose',) not in self.boxes:
            name = self.unique('JoseText')
            sn = snake(name)
            m = Message(name, sn, f'{self.api.prefix}_{sn}', box=True, pointer=mp, extra=False, text=True,
                        description='A JWT / JWS / JWE body in compact serialization, sent and received as '
                                    'text (application/jwt, application/jose...): `value` is the text.')
            m.fields.append(Field('', 'value', TypeRef('string'), False, False, ''))
            self.api.messages.append(m)
            self.boxes[('jose',)] = m
        return self.boxes[('jose',)]

    def body_kind(self, media):
        m = media.split(';')[0].strip().lower()
        if m in self.JOSE_MEDIA:
            return 'PONTES_BODY_TEXT'
        if m == 'application/json' or m.endswith('+json') or m == '*/*' and False:
            return 'PONTES_BODY_JSON'
        if m == 'application/x-www-form-urlencoded':
            return 'PONTES_BODY_FORM'
        if m == 'multipart/form-data':
            return 'PONTES_BODY_MULTIPART'
        if m.startswith('text/'):
            return 'PONTES_BODY_TEXT'
        if m in ('application/octet-stream', 'application/pdf') or m.startswith('image/'):
            return 'PONTES_BODY_BINARY'
        return None

    def webhook(self, name, method, op, ptr, item=None):
        rb = op.get('requestBody') if isinstance(op, dict) else None
        if rb is None:
            return
        if any(w.name == name for w in self.api.webhooks):
            self.warn(ptr, f"webhook '{name}' has several methods: only the first with a JSON body gets a receiver")
            return
        headers, used = {}, {'raw_body', 'raw_body_len', 'body', 'content_type'}
        for where, plist in ((ptr[:ptr.rfind('/')], (item or {}).get('parameters')), (ptr, op.get('parameters'))):
            for i, prm in enumerate(plist or []):
                pr = self.param(self.file, join_pointer(where, 'parameters', i), prm, '')
                if pr.location != 'header':
                    continue
                if pr.name.lower() == 'content-type':
                    continue  # always checked and kept as content_type
                headers[pr.name.lower()] = pr
        for pr in headers.values():
            base, n = pr.cname, 2
            while pr.cname in used:
                pr.cname = f'{base}_{n}'
                n += 1
            used.add(pr.cname)
        rf, rbp, rb = self.doc.deref(self.file, join_pointer(ptr, 'requestBody'), rb)
        content = rb.get('content') or {}
        if content and not any(self.body_kind(m) == 'PONTES_BODY_JSON' for m in content):
            self.warn(join_pointer(rbp, 'content'), f"webhook '{name}' has no JSON body ({', '.join(content)}): "
                                                     'no type is generated for it')
        for media, mo in content.items():
            if self.body_kind(media) != 'PONTES_BODY_JSON':
                continue
            mp = join_pointer(rbp, 'content', media)
            root = self.body_root(rf, join_pointer(mp, 'schema'), (mo or {}).get('schema', {}),
                                  pascal(name) + 'Event')
            if getattr(root, 'box', False):
                self.warn(join_pointer(mp, 'schema'), f"webhook '{name}': the body is not an object: it is decoded "
                                                      'as a box (value)')
            self.api.webhooks.append(Webhook(name, method.upper(), root, str(op.get('description', '')
                                                                              or op.get('summary', '') or ''),
                                             snake(str(name)), media.split(';')[0].strip(), list(headers.values())))
            self.collect_examples(mo, mp, root, rf, f'webhook {name}')
            break

    def collect_examples(self, mo, mp, root, file, where):
        if not isinstance(mo, dict):
            return
        if 'example' in mo:
            self.add_example(where + ' example', root, mo['example'], False, join_pointer(mp, 'example'),
                             self.example_deviations(mo, 'x-pontes-example-deviations', mp, file))
        for en, ex in (mo.get('examples') or {}).items():
            ep = join_pointer(mp, 'examples', en)
            ef, epp, ex = self.doc.deref(file, ep, ex)
            if not isinstance(ex, dict):
                self.fail(ep, 'example must be a mapping', ef)
            if 'value' not in ex:
                if 'externalValue' in ex:
                    self.warn(ep, 'externalValue examples are not fetched: no round-trip test for it')
                continue
            self.add_example(f'{where} {en}', root, ex['value'], bool(ex.get('x-pontes-invalid')), ep,
                             self.example_deviations(ex, 'x-pontes-deviations', epp, ef))

    def example_deviations(self, node, key, ptr, file):
        """How many deviations from the schema (unknown members or enum values, ...) an example
        knowingly has: it must then fail a strict decode and decode tolerantly with exactly that many."""
        n = node.get(key, 0)
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            self.fail(join_pointer(ptr, key), f'{key} must be a non-negative integer', file)
        return n

    def add_example(self, name, root, value, invalid, ptr, deviations=0):
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(',', ':'))
        except (TypeError, ValueError) as e:
            self.fail(ptr, f'example is not valid JSON data: {e}')
        self.api.examples.append(Example(name, root, text, invalid, ptr, deviations))


# ---------------------------------------------------------------------------
# Examples on schemas and properties

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_DATE_TIME = re.compile(r'^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$')
_NO_EXAMPLE = object()


def _valid_date(text):
    if not re.match(r'^\d{4}-\d{2}-\d{2}$', text):
        return False
    try:
        datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        return True
    except ValueError:
        return False


def check_value(t, value, nullable=False, path='$'):
    """Why value (JSON data) would not decode strictly as t, or None when it would."""
    if value is None:
        return None if nullable or t.kind == 'any' else f'{path}: null for a non-nullable value'
    k = t.kind
    if k == 'any':
        return None
    if k == 'bool':
        return None if isinstance(value, bool) else f'{path}: expected a boolean'
    if k in WIRE_KINDS and isinstance(value, str):  # the string form
        ok = re.match(r'^-?[0-9]+$', value) if k != 'double_str' else _DECIMAL_TEXT.match(value)
        if not ok:
            return f'{path}: {value!r} is not a number'
        value = int(value) if k != 'double_str' else float(value)
        k = k[:-4]
    elif k in WIRE_KINDS:
        k = k[:-4]
    if k in ('int32', 'int64'):
        if not isinstance(value, int) or isinstance(value, bool):
            return f'{path}: expected an integer'
        lim = 2 ** 31 if k == 'int32' else 2 ** 63
        return None if -lim <= value < lim else f'{path}: integer out of {k} range'
    if k == 'double':
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f'{path}: expected a number'
    if k in ('decimal', 'decimal_string'):
        if k == 'decimal_string' and not isinstance(value, str):
            return f'{path}: expected a string of decimal text'
        if k == 'decimal' and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            return f'{path}: expected a number'
        e = decimal_error(value if k == 'decimal_string' else json.dumps(value))
        return f'{path}: {e}' if e else None
    if k in ('string', 'bytes', 'file', 'enum'):
        if not isinstance(value, str):
            return f'{path}: expected a string'
        if k == 'enum':
            return None if value in t.named.values else f'{path}: {value!r} is not one of the enum values'
        if k in ('bytes', 'file'):
            try:
                base64.b64decode(value, validate=True)
            except ValueError:
                return f'{path}: not base64'
            return None
        if t.fmt == 'date' and not _valid_date(value):
            return f'{path}: {value!r} is not a date (YYYY-MM-DD)'
        if t.fmt == 'date-time' and not (len(value) == 10 and _valid_date(value)):  # date-only: accepted
            m = _DATE_TIME.match(value)
            if not m or not _valid_date(m.group(1)) or int(m.group(2)) > 23 or int(m.group(3)) > 59 \
                    or int(m.group(4)) > 60:
                return f'{path}: {value!r} is not an RFC 3339 date-time'
        if t.fmt == 'uuid' and not _UUID.match(value):
            return f'{path}: {value!r} is not a uuid'
        return None
    if k == 'array':
        if not isinstance(value, list):
            return f'{path}: expected an array'
        for i, x in enumerate(value):
            e = check_value(t.elem, x, t.elem_nullable, f'{path}[{i}]')
            if e:
                return e
        return None
    if k == 'map':
        if not isinstance(value, dict):
            return f'{path}: expected an object'
        for key, x in value.items():
            e = check_value(t.elem, x, t.elem_nullable, f'{path}.{key}')
            if e:
                return e
        return None
    if k == 'object':
        m = t.named
        if m.box:
            return check_value(m.fields[0].type, value, m.fields[0].nullable, path)
        if not isinstance(value, dict):
            return f'{path}: expected an object ({m.name})'
        by_name = {f.json_name: f for f in m.fields}
        for key, x in value.items():
            f = by_name.get(key)
            if f is None:
                return f'{path}: unknown member {key!r} of {m.name}'
            e = check_value(f.type, x, f.nullable, f'{path}.{key}')
            if e:
                return e
        for f in m.fields:
            if f.required and f.json_name not in value:
                return f'{path}: required member {f.json_name!r} of {m.name} is missing'
        for group in m.one_of:
            held = sum(all(m.fields[i].json_name in value for i in alt) for alt in group)
            if held != 1:
                names = ', '.join(' + '.join(m.fields[i].json_name for i in alt) for alt in group)
                return f"{path}: exactly one of {names} of {m.name}: {'none' if not held else held} present"
        return None
    if k == 'union':
        u = t.named
        if u.discriminator:
            if not isinstance(value, dict) or not isinstance(value.get(u.discriminator), str):
                return f'{path}: no discriminator {u.discriminator!r} for {u.name}'
            for x in u.variants:
                if x.mapping == value[u.discriminator]:
                    return check_value(x.type, value, False, path)
            return f'{path}: unknown {u.discriminator} {value[u.discriminator]!r} for {u.name}'
        errs = [check_value(x.type, value, False, path) for x in u.variants]
        return None if any(e is None for e in errs) else (errs[0] if errs else f'{path}: empty union')
    return None


def _schema_examples_of(node):
    """Example values written on a schema node: `example`, then the 3.1 `examples` list."""
    out = []
    if not isinstance(node, dict):
        return out
    if 'example' in node:
        out.append(('example', node['example']))
    ex = node.get('examples')
    if isinstance(ex, list):
        out += [(f'examples/{i}', v) for i, v in enumerate(ex)]
    return out


def _builder_schema_examples(self):
    """Round-trip vectors from examples on schemas and properties (see docs/architecture.md):
    - every `example` / `examples[i]` on an object schema is a vector for that schema;
    - an object whose required members all have an example (on the property, on the schema
      it references, or assembled for a nested object by this same rule), and at least one
      member has one, gets one vector assembled from all its members' examples;
    - an example that does not match its schema is a warning naming its pointer, and is not
      used (nor assembled into its parent)."""
    by_cname = {m.cname: m for m in self.api.messages}
    assembled = {}

    def value_example(pf, pp, ps, t, nullable, depth):
        """(value or _NO_EXAMPLE) for a member schema."""
        for sub, v in _schema_examples_of(ps)[:1]:
            return _NO_EXAMPLE if check_value(t, v, nullable) else v  # warned below
        if isinstance(ps, dict) and '$ref' in ps:
            tf, tp, tn = self.doc.deref(pf, pp, ps)
            for sub, v in _schema_examples_of(tn)[:1]:
                return v if check_value(t, v, nullable) is None else _NO_EXAMPLE  # warned at the schema
        if t.kind == 'object' and not t.named.box and depth < 8:
            v = assemble(t.named, depth + 1)
            return v if v is not None else _NO_EXAMPLE
        return _NO_EXAMPLE

    def assemble(m, depth=0):
        if m.cname in assembled:
            return assembled[m.cname]
        assembled[m.cname] = None  # recursion guard
        file, pointer, node, props = self.msg_nodes[m.cname]
        by_name = {f.json_name: f for f in m.fields}
        out, own = {}, False
        for pname, (pf, pp, ps) in props.items():
            f = by_name.get(pname)
            if f is None:
                continue
            v = value_example(pf, pp, ps, f.type, f.nullable, depth)
            if v is _NO_EXAMPLE:
                if f.required:
                    return None
                continue
            own = own or bool(_schema_examples_of(ps))
            out[pname] = v
        if not own or check_value(TypeRef('object', named=m), out):
            return None
        assembled[m.cname] = out
        return out

    for m in list(self.api.messages):
        if m.box or m.cname not in self.msg_nodes:
            continue
        file, pointer, node, props = self.msg_nodes[m.cname]
        t = TypeRef('object', named=m)
        for sub, v in _schema_examples_of(node):
            ptr = join_pointer(pointer, *sub.split('/'))
            e = check_value(t, v)
            if e:
                self.warn(ptr, f'schema example does not match the schema ({e}): not used as a test vector')
                continue
            self.add_example(f'schema {m.name} {sub}', m, v, False, ptr)
        fields = {x.json_name: x for x in m.fields}
        for pname, (pf, pp, ps) in props.items():
            f = fields.get(pname)
            for sub, pv in _schema_examples_of(ps)[:1]:
                e = check_value(f.type, pv, f.nullable) if f is not None else None
                if e and (pf, pp) not in self.warned_examples:
                    self.warned_examples.add((pf, pp))
                    self.warn(join_pointer(pp, *sub.split('/')),
                              f'property example does not match the schema ({e.replace("$", pname, 1)}): not used')
        v = assemble(m)
        if v is not None:
            self.add_example(f'schema {m.name} property examples', m, v, False, pointer)


Builder.schema_examples = _builder_schema_examples


# ---------------------------------------------------------------------------
# Provenance (x-pontes-provenance): how well the provider documents each element.
#
#   x-pontes-provenance: {status: documented | partial | inferred, source: [tags or URLs],
#                         missing: "what the docs leave out" (partial), basis: "inferred from what" (inferred)}
#
# On the document root (the default), operations, parameters, request bodies, responses, schemas
# (component or inline) and properties. Effective class of an element: its own mark; else the mark
# of the schema it is or references; else the mark inherited from the nearest enclosing element that
# states one (a property from its schema or parent property, a parameter or body from its operation),
# unless that mark is `partial` (it describes the enclosing element only) or a schema in between
# states its own (a schema with a mark is a scope of its own); else the root default; else `unstated`
# (the spec says nothing: a fourth class, so that the report stays honest). The members of an
# operation: its parameters, its request body and responses (with a body or a mark), and their
# properties at any depth through $ref / allOf / oneOf / anyOf / items / additionalProperties (each
# schema once per operation; list / map elements count when their schema has a mark).

PROV_CLASSES = ('documented', 'partial', 'inferred', 'unstated')
PROV_KEYS = ('status', 'source', 'missing', 'basis')
_PROV_SKIP = {'example', 'examples', 'default', 'enum', 'const', 'x-pontes-known-values'}


@dataclass
class Provenance:
    status: str                    # documented partial inferred unstated
    source: List[str] = field(default_factory=list)
    missing: str = ''
    basis: str = ''
    pointer: str = ''

    @property
    def note(self):
        return self.missing if self.status == 'partial' else self.basis if self.status == 'inferred' else ''


UNSTATED = Provenance('unstated')


@dataclass
class ProvMember:
    path: str                      # query.pageSize, body.items[].name, response.200.operationStatus.code
    status: str
    note: str


@dataclass
class OpCoverage:
    op: Operation
    prov: Provenance
    counts: Dict[str, int]         # class -> number of members (parameters, bodies, properties)
    members: List[ProvMember]      # the partial / inferred members, in walk order


def _prov_parse(self, file, ptr, value):
    """A validated x-pontes-provenance value (ptr: its pointer) as a Provenance."""
    if not isinstance(value, dict):
        self.fail(ptr, 'x-pontes-provenance must be a mapping {status, source, missing, basis}', file)
    for k in value:
        if k not in PROV_KEYS:
            self.fail(join_pointer(ptr, k), f"unknown x-pontes-provenance key {k!r} (known: {', '.join(PROV_KEYS)})",
                      file)
    st = value.get('status')
    if st not in PROV_CLASSES[:3]:
        self.fail(join_pointer(ptr, 'status') if 'status' in value else ptr,
                  f'x-pontes-provenance status must be documented, partial or inferred (got {st!r})', file)
    src = value.get('source')
    if src is None:
        if st != 'inferred':
            self.fail(ptr, f'x-pontes-provenance status {st} needs source (the pages or URLs it is documented in)',
                      file)
        src = []
    if not isinstance(src, list) or not all(isinstance(x, str) and x.strip() for x in src):
        self.fail(join_pointer(ptr, 'source'), 'x-pontes-provenance source must be a list of non-empty strings '
                  '(page tags or URLs)', file)
    if st != 'inferred' and not src:
        self.fail(join_pointer(ptr, 'source'), f'x-pontes-provenance status {st} needs at least one source', file)
    texts = {}
    for k in ('missing', 'basis'):
        v = value.get(k)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            self.fail(join_pointer(ptr, k), f'x-pontes-provenance {k} must be a non-empty string', file)
        texts[k] = ' '.join(str(v or '').split())
    if st == 'partial' and not texts['missing']:
        self.fail(ptr, 'x-pontes-provenance status partial needs missing (what the documentation leaves out, '
                  'in words)', file)
    if st == 'inferred' and not texts['basis']:
        self.fail(ptr, 'x-pontes-provenance status inferred needs basis (what it is inferred from)', file)
    return Provenance(st, [str(x) for x in src], texts['missing'], texts['basis'], ptr)


def _prov_at(self, file, ptr, node):
    """The Provenance written on node itself (None when it has none); validated once."""
    if not isinstance(node, dict) or 'x-pontes-provenance' not in node:
        return None
    key = (file, ptr)
    cache = self.__dict__.setdefault('_prov_cache', {})
    if key not in cache:
        cache[key] = self.prov_parse(file, join_pointer(ptr, 'x-pontes-provenance'), node['x-pontes-provenance'])
    return cache[key]


def _prov_validate_all(self, file, ptr, node, depth=0):
    """Every x-pontes-provenance of the document is checked, also on elements no operation reaches."""
    if depth > 64:
        return
    if isinstance(node, dict):
        if 'x-pontes-provenance' in node:
            self.prov_at(file, ptr, node)
        for k, v in node.items():
            if k not in _PROV_SKIP and isinstance(v, (dict, list)):
                self.prov_validate_all(file, join_pointer(ptr, k), v, depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (dict, list)):
                self.prov_validate_all(file, join_pointer(ptr, i), v, depth + 1)


def _prov_is_null(doc, file, ptr, node):
    """A `type: null` alternative (of oneOf [X, null])."""
    _, _, n = doc.deref(file, ptr, node)
    return isinstance(n, dict) and (n.get('type') in ('null', ['null']) or n.get('enum') == [None])


def _builder_provenance(self):
    """api.coverage: one OpCoverage per generated operation (spec order); api.provenance_default."""
    api = self.api
    self.prov_validate_all(self.file, '#', self.root)
    root = self.prov_at(self.file, '#', self.root)
    api.provenance_default = root
    default = root or UNSTATED
    by_id = {o.op_id: o for o in api.operations}
    out = []

    def inherit(mark, ctx):
        """The context a member's children inherit: its explicit mark unless partial."""
        return mark if mark is not None and mark.status != 'partial' else ctx

    def explicit(file, ptr, node):
        """(mark on node, or on the schema it references: file, pointer, dereferenced node)."""
        own = self.prov_at(file, ptr, node)
        f, p, n = file, ptr, node
        if isinstance(node, dict) and '$ref' in node:
            f, p, n = self.doc.deref(file, ptr, node)
            own = own or self.prov_at(f, p, n)
        return own, f, p, n

    def element(path, mark, ctx, rec):
        eff = mark or ctx or default
        rec['counts'][eff.status] += 1
        if eff.status in ('partial', 'inferred'):
            rec['members'].append(ProvMember(path, eff.status, eff.note))

    def schema(file, ptr, node, path, ctx, rec, depth=0):
        """The members (properties) of a schema, recursively; each schema once per operation."""
        if depth > 32:
            return
        mark, f, p, n = explicit(file, ptr, node)
        if not isinstance(n, dict) or (f, p) in rec['seen']:
            return
        rec['seen'].add((f, p))
        if mark is not None:  # a schema that states its own provenance is a scope of its own
            ctx = inherit(mark, None)
        for comb in ('allOf', 'oneOf', 'anyOf'):
            parts = n.get(comb) if isinstance(n.get(comb), list) else []
            alts = [i for i, part in enumerate(parts) if not _prov_is_null(self.doc, f, join_pointer(p, comb, i), part)]
            for i, part in enumerate(parts):
                # alternatives of a union: path(SchemaName) (or path(n)), so that their members stay apart
                q = path
                if comb != 'allOf' and len(alts) > 1 and i in alts:
                    ref = part.get('$ref') if isinstance(part, dict) else None
                    q = f"{path}({ref.rsplit('/', 1)[-1] if isinstance(ref, str) else i + 1})"
                schema(f, join_pointer(p, comb, i), part, q, ctx, rec, depth + 1)
        props = n.get('properties')
        for name, ps in (props.items() if isinstance(props, dict) else []):
            pp = join_pointer(p, 'properties', name)
            pmark, _, _, _ = explicit(f, pp, ps)
            mpath = f'{path}.{name}' if path else str(name)
            element(mpath, pmark, ctx, rec)
            schema(f, pp, ps, mpath, inherit(pmark, ctx), rec, depth + 1)
        for key, sfx in (('items', '[]'), ('additionalProperties', '{}')):
            if isinstance(n.get(key), dict):
                ip = join_pointer(p, key)
                imark, imf, imp, _ = explicit(f, ip, n[key])
                if imark is not None and (imf, imp) not in rec['seen']:
                    element(path + sfx, imark, ctx, rec)  # elements of a list / map whose schema says something
                schema(f, ip, n[key], path + sfx, ctx, rec, depth + 1)

    def body(file, ptr, node, path, ctx, rec):
        """A request body or a response: the element itself, then its schema's members."""
        mark, f, p, n = explicit(file, ptr, node)
        if not isinstance(n, dict):
            return
        content = n.get('content') if isinstance(n.get('content'), dict) else {}
        sch = next(((join_pointer(p, 'content', m), mo['schema']) for m, mo in content.items()
                    if isinstance(mo, dict) and 'schema' in mo), None)
        if sch is None and mark is None:
            return  # no body, nothing said about it
        smark = None
        if sch is not None:
            smark, _, _, _ = explicit(f, join_pointer(sch[0], 'schema'), sch[1])
        element(path, mark or smark, ctx, rec)
        if sch is not None:
            schema(f, join_pointer(sch[0], 'schema'), sch[1], path, inherit(mark, ctx), rec)

    for path, item in (self.root.get('paths') or {}).items():
        pptr = join_pointer('#/paths', path)
        f, pptr2, item = self.doc.deref(self.file, pptr, item)
        for m in HTTP_METHODS:
            if not isinstance(item, dict) or not isinstance(item.get(m), dict):
                continue
            node, optr = item[m], join_pointer(pptr, m)
            op = by_id.get(node.get('operationId') or snake(m + ' ' + re.sub(r'[{}]', '', path)))
            if op is None:
                continue  # not generated (a warning said why)
            own = self.prov_at(f, optr, node)
            rec = {'counts': {c: 0 for c in PROV_CLASSES}, 'members': [], 'seen': set()}
            ctx = inherit(own, None)
            params = {}
            for base, plist in ((pptr, item.get('parameters')), (optr, node.get('parameters'))):
                for i, prm in enumerate(plist if isinstance(plist, list) else []):
                    pp = join_pointer(base, 'parameters', i)
                    pmark, pf, ppp, pn = explicit(f, pp, prm)
                    if not isinstance(pn, dict):
                        continue
                    if pmark is None and isinstance(pn.get('schema'), dict):
                        pmark, _, _, _ = explicit(pf, join_pointer(ppp, 'schema'), pn['schema'])
                    params[(pn.get('in'), pn.get('name'))] = pmark
            for (loc, name), pmark in params.items():
                element(f'{loc}.{name}', pmark, ctx, rec)
            if node.get('requestBody') is not None:
                body(f, join_pointer(optr, 'requestBody'), node['requestBody'], 'body', ctx, rec)
            for code, r in (node.get('responses') or {}).items():
                body(f, join_pointer(optr, 'responses', code), r, f'response.{code}', ctx, rec)
            out.append(OpCoverage(op, own or default, rec['counts'], rec['members']))
    api.coverage = out
    # the accessor <prefix>_coverage (another name if an operation took it)
    api.coverage_fn = f'{api.prefix}_coverage' + ('_report' if 'coverage' in {o.snake for o in api.operations} else '')
    api.coverage_totals = {c: sum(1 for x in out if x.prov.status == c) for c in PROV_CLASSES}
    api.coverage_member_totals = {c: sum(x.counts[c] for x in out) for c in PROV_CLASSES}
    return out


Builder.prov_parse = _prov_parse
Builder.prov_at = _prov_at
Builder.prov_validate_all = _prov_validate_all
Builder.provenance = _builder_provenance


def build_model(doc, prefix=None):
    b = Builder(doc, prefix)
    api = b.build()
    api.spec_name = doc.display
    b.provenance()  # api.coverage (x-pontes-provenance)
    # every named object/union/box is a root with decode/encode/free functions
    api.roots = [m for m in api.messages] + [u for u in api.unions]
    return api
