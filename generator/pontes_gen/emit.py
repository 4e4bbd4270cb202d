"""Render the model to C with Jinja2 templates. Output is deterministic."""
import re
import hashlib
import json
import os

import jinja2

from .layout import layout_c
from .model import (CHECKED_FORMATS, PRIMS, WIRE_KINDS, c_comment, c_string, c_string_chunks, comment_inline,
                    comment_paragraphs, enum_const, json_key)

GENERATOR_VERSION = '0.1.0'


class View:
    """Helpers the templates call; everything C-specific about types lives here."""

    def __init__(self, api):
        self.api = api
        self.p = api.prefix
        self.type_names = {x.cname for x in api.messages + api.enums + api.unions}

    # storage C type of a value of TypeRef t
    def ctype(self, t):
        if t.kind in PRIMS:
            return PRIMS[t.kind][0]
        if t.kind == 'enum':
            return t.named.cname
        if t.kind in ('object', 'union'):
            return t.named.cname + ' *'
        return self.container_name(t)

    def member(self, t, name):
        ct = self.ctype(t)
        return f'{ct}{name}' if ct.endswith('*') else f'{ct} {name}'

    def container_name(self, t):
        return t.cname  # chosen (and reserved) by the model: see Builder.container_cname

    @staticmethod
    def is_wire(t):
        """A number that may travel as a string: the struct keeps its pontes_wire_form."""
        return t.kind in WIRE_KINDS

    def needs_container_struct(self, t):
        return self.container_name(t).startswith(self.p + '_')

    def container_desc(self, t):
        return f'{self.p}__{t.fkey}{"_n" if t.elem_nullable else ""}__type'

    def desc(self, t):
        """C expression: const pontes_type * of t (checked string formats: pontes_type_date, ...)."""
        if t.kind == 'string' and t.fmt in CHECKED_FORMATS:
            return CHECKED_FORMATS[t.fmt][1]
        if t.kind in PRIMS:
            return PRIMS[t.kind][1]
        if t.kind in ('enum', 'object', 'union'):
            return f'&{t.named.cname}__type'
        return '&' + self.container_desc(t)

    def root_type(self, root):
        return f'&{root.cname}__type'

    def containers_ordered(self):
        """Container types in dependency order (inner containers first)."""
        out, seen = [], set()

        def visit(t):
            k = t.fkey + ('_n' if t.elem_nullable else '')
            if k in seen:
                return
            if t.elem.kind in ('array', 'map'):
                visit(t.elem)
            seen.add(k)
            out.append(t)
        for k in sorted(self.api.containers):
            visit(self.api.containers[k])
        return out

    def container_structs(self):
        out, seen = [], set()
        for t in self.containers_ordered():
            n = self.container_name(t)
            if self.needs_container_struct(t) and n not in seen:
                seen.add(n)
                out.append(t)
        return out

    def field_desc(self, m, f):
        """const pontes_type * of member f of m: its pontes_file_type for x-pontes-file rules."""
        if f.file_rule:
            return f'&{m.cname}__{f.cname}__ftype.base'
        return self.desc(f.type)

    def field_key(self, m, f):
        """The trailing key, key_len, name_len of member f's pontes_field: its ready JSON key
        `"name":` (NULL, 0, 0 for a box's value or a name the runtime must escape itself)."""
        key = None if m.box else json_key(f.json_name)
        if key is None:
            return 'NULL, 0, 0'
        return f'{c_string(key.decode("utf-8"))}, {len(key)}, {len(f.json_name.encode("utf-8"))}'

    def file_type_init(self, f):
        """Initialiser of the pontes_file_type of a member with x-pontes-file rules."""
        mb, magic = f.file_rule
        kind, ctype, name = ('BYTES', 'pontes_bytes', 'bytes') if f.type.kind == 'bytes' else ('FILE', 'pontes_file', 'file')
        lit = ('"' + ''.join(chr(b) if 0x20 <= b < 0x7f and chr(b) not in '"\\?' else f'\\{b:03o}' for b in magic) + '"'
               if magic else 'NULL')
        return (f'{{ PONTES_KIND_{kind}, PONTES_T_FILE_RULE, sizeof({ctype}), "{name}", NULL, NULL, NULL, NULL }}, '
                f'UINT64_C({mb}), {lit}, {len(magic)}')

    def field_flags(self, f):
        fl = []
        if f.required:
            fl.append('PONTES_F_REQUIRED')
        if f.nullable:
            fl.append('PONTES_F_NULLABLE')
        if f.read_only:
            fl.append('PONTES_F_READ_ONLY')
        if f.write_only:
            fl.append('PONTES_F_WRITE_ONLY')
        if f.secret:
            fl.append('PONTES_F_SECRET')
        if f.type.kind in WIRE_KINDS:
            fl.append('PONTES_F_WIRE_FORM')  # its pontes_wire_form wire_x follows has_x
        return ' | '.join(fl) or '0'

    def field_doc(self, f):
        parts = []
        if f.json_name:
            parts.append(f'"{f.json_name}"')
        attrs = [f.type.describe()]
        if f.required:
            attrs.append('required')
        if f.nullable:
            attrs.append('nullable')
        if f.read_only:
            attrs.append('read-only')
        if f.write_only:
            attrs.append('write-only')
        if f.secret:
            attrs.append('secret')
        if f.deprecated:
            attrs.append('deprecated')
        if f.type.consts:
            attrs.append(f'codes: `{f.type.consts.prefix}_*`')
        if f.type.kind == 'enum':
            attrs.append(f'values: `{self.api.upper}_{enum_const(f.type.named.name)}_*`')
        head = (' '.join(parts) + ' — ' if parts else '') + ', '.join(a for a in attrs if a)
        text = head + ('. ' + f.description.strip() if f.description.strip() else '')
        return c_comment(text, 89)  # 8 columns of '    /** ' before, ' */' after: <= 100

    def union_kind_desc(self, u):
        return u.discriminator

    def op_args(self, op, body):
        """Parameters of the C function for operation op with body variant body."""
        args = [f'{self.p}_client *c']
        for p in op.path_params:
            args.append(('int64_t ' if p.kind == 'int64' else 'const char *') + p.cname)
        if op.params:
            args.append(f'const {self.p}_{op.snake}_params *params')
        if body is not None:
            args.append(f'const {self.body_ctype(body)} *body')
        if op.results:
            args.append(f'{self.p}_{op.snake}_result *out')
        elif op.success is not None:
            args.append(f'{op.success.cname} **out')
        return args

    def result_cases(self, op):
        """(exact 2xx status, (member, kind const)) for an operation with op.results."""
        return [(st, (x[0], x[1])) for x in op.results for st in x[3] if st >= 200]

    def result_class(self, op):
        """(member, kind const) of the 2XX response, or None."""
        return next(((x[0], x[1]) for x in op.results if 2 in x[3]), None)

    def md_call_args(self, op, body):
        """Arguments of the usage example of op in the Markdown reference."""
        args = ['c']
        for p in op.path_params:
            args.append('1' if p.kind == 'int64' else f'"<{p.name}>"')
        if op.params:
            args.append('NULL')
        if body is not None:
            args.append('body')
        if op.success is not None:
            args.append('&out')
        return args

    def body_ctype(self, body):
        return body.root.cname

    def param_member(self, p):
        return {'string': 'const char *', 'int64': 'int64_t ', 'double': 'double ', 'bool': 'bool ',
                'string_list': 'pontes_string_list '}[p.kind] + p.cname

    def in_const(self, p):
        return {'path': 'PONTES_IN_PATH', 'query': 'PONTES_IN_QUERY', 'header': 'PONTES_IN_HEADER',
                'cookie': 'PONTES_IN_COOKIE'}[p.location]

    def op_funcs(self, op):
        """(function name, body or None, operation descriptor name) per generated function."""
        if not op.bodies:
            return [(f'{self.p}_{op.snake}', None, f'{self.p}_op_{op.snake}')]
        return [(f'{self.p}_{op.snake}{b.suffix}', b, f'{self.p}_op_{op.snake}{b.suffix}') for b in op.bodies]

    def error_model(self):
        em = self.api.error_model or {}
        keys = ['code', 'message', 'fieldErrors', 'fieldKey', 'fieldMessage', 'requestId', 'requestIdHeader', 'date']
        sc = f'&{self.p}_status_code' if self.api.status_code else 'NULL'  # x-pontes-status-code
        return ', '.join([c_string(em[k]) if em.get(k) else 'NULL' for k in keys] + [sc])

    @staticmethod
    def envelope_root(r):
        """The envelope (x-pontes-envelope) a 2xx response's root message carries, or None."""
        ok = 200 <= r.status <= 299 or r.status == 2
        return r.root if ok and r.root is not None and getattr(r.root, 'envelope', None) else None

    def envelopes(self):
        """Messages whose envelope descriptor is referenced by some response (each once, spec order)."""
        used = {id(m) for op in self.api.operations for r in op.responses for m in [self.envelope_root(r)] if m}
        return [m for m in self.api.messages if id(m) in used]

    def response_envelope(self, r):
        m = self.envelope_root(r)
        return f'&{m.cname}__envelope' if m else 'NULL'

    # -- provenance (x-pontes-provenance; templates/coverage.*.j2) --
    @staticmethod
    def prov_const(status):
        return 'PONTES_PROV_' + status.upper()

    @staticmethod
    def prov_counts(counts):
        """Initialiser of a [PONTES_PROV_CLASS_COUNT] array (index: pontes_provenance_class)."""
        return ', '.join(str(counts.get(k, 0)) for k in ('unstated', 'documented', 'partial', 'inferred'))

    @staticmethod
    def envelope_init(m):
        e = m.envelope
        return ', '.join(c_string(e[k]) if e.get(k) is not None else 'NULL' for k in ('code', 'message', 'success'))


def make_env(template_dir):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             autoescape=False)
    env.filters['cstr'] = c_string
    env.filters['argname'] = lambda a: re.split(r'[ *]', a.strip())[-1]  # "const T *body" -> "body"
    env.filters['cstr_chunks'] = c_string_chunks
    env.filters['comment'] = lambda s, w=96: c_comment(s, w)
    env.filters['const'] = enum_const
    env.filters['inline'] = comment_inline  # for a trailing comment; layout_c wraps it
    env.filters['flat'] = lambda s: ' '.join(x for x in comment_paragraphs(s) if x)
    env.filters['md_text'] = lambda s: str(s or '').strip()  # a description as Markdown
    env.filters['md_cell'] = lambda s: ' '.join(str(s or '').split()).replace('|', '\\|')
    env.filters['md_anchor'] = lambda s: re.sub(r'[^a-z0-9_ -]', '', str(s).lower()).replace(' ', '-')
    return env


def render(api, template_dir, spec_rel, spec_json):
    env = make_env(template_dir)
    view = View(api)
    ctx = dict(api=api, v=view, p=api.prefix, P=api.upper, spec=spec_rel, gen_version=GENERATOR_VERSION)
    files = {
        f'include/pontes/{api.prefix}.h': env.get_template('api.h.j2').render(**ctx),
        f'src/{api.prefix}.c': env.get_template('api.c.j2').render(**ctx),
        f'tests/{api.prefix}_examples_test.c': env.get_template('examples_test.c.j2').render(**ctx),
        'CMakeLists.txt': env.get_template('CMakeLists.txt.j2').render(**ctx),
        'openapi.json': json.dumps(spec_json, ensure_ascii=False, indent=1) + '\n',
    }
    for rel in files:
        if rel.endswith(('.h', '.c')):
            files[rel] = layout_c(files[rel])
    # the Markdown reference of the API (generated/<api>/<api>.md)
    schemes = ((spec_json.get('components') or {}).get('securitySchemes') or {}) if isinstance(spec_json, dict) else {}
    files[f'{api.prefix}.md'] = env.get_template('api.md.j2').render(
        schemes={k: s for k, s in schemes.items() if isinstance(s, dict)}, scheme_setter=_scheme_setter, **ctx)
    # the provenance report (x-pontes-provenance): generated/<api>/<api>-coverage.md
    files[f'{api.prefix}-coverage.md'] = env.get_template('coverage.md.j2').render(**ctx)
    return files


def inputs_manifest(doc, template_dir, extra=None):
    """Text of DIR/.inputs: the SHA-256 of every input of this output (the spec and the
    files it references, the generator, the templates). The build (generated/CMakeLists.txt)
    recomputes these hashes to tell whether generated/<api>/ is stale. Deterministic.
    extra: {path: text or None (read the file)} of further inputs beside the spec (the ABI lock),
    listed as spec/<path relative to the spec's directory>."""
    extra = extra or {}

    def sha(path):
        if extra.get(path) is not None:
            return hashlib.sha256(extra[path].encode('utf-8')).hexdigest()
        with open(path, 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()
    base = os.path.dirname(doc.path)
    extra = {os.path.abspath(p): t for p, t in extra.items()}
    spec_files = [doc.path] + sorted((p for p in set(doc.files) | set(extra) if p != doc.path),
                                     key=lambda p: os.path.relpath(p, base))
    gen_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lines = ['# pontes-gen inputs (SHA-256): the spec, the generator, the templates. Do not edit.']
    lines += [f'{sha(p)}  spec/{os.path.relpath(p, base).replace(os.sep, "/")}' for p in spec_files]
    lines += [f'{sha(os.path.join(gen_dir, "pontes-gen"))}  generator/pontes-gen']
    pkg = os.path.join(gen_dir, 'pontes_gen')
    lines += [f'{sha(os.path.join(pkg, n))}  generator/pontes_gen/{n}' for n in sorted(os.listdir(pkg)) if n.endswith('.py')]
    lines += [f'{sha(os.path.join(template_dir, n))}  templates/{n}'
              for n in sorted(os.listdir(template_dir)) if n.endswith('.j2')]
    return '\n'.join(lines) + '\n'


def _scheme_setter(name, s):
    """Markdown: the pontes call that sets the credentials of security scheme s."""
    t, scheme = s.get('type'), str(s.get('scheme', '')).lower()
    if t == 'http' and scheme == 'basic':
        return f'`pontes_client_set_basic(c, "{name}", user, password)`'
    sa = s.get('x-pontes-auth') if isinstance(s.get('x-pontes-auth'), dict) else {}
    if t == 'http' and sa.get('style') == 'session':
        roles = ', '.join(f'`{r}`' for r in (sa.get('credentials') or {}))
        return (f'`pontes_client_set_session_credential(c, "{name}", role, value)` for each role ({roles}); '
                f'the runtime logs in with `{sa.get("login_operation")}` and renews the session by itself '
                f'(header names: `pontes_client_set_session_header`)')
    if t == 'http' or t == 'openIdConnect':
        return f'`pontes_client_set_bearer(c, "{name}", token)`'
    if t == 'oauth2':
        flows = s.get('flows') or {}
        if 'clientCredentials' in flows:
            return (f'`pontes_client_set_oauth2_client_credentials(c, "{name}", &o)` (token URL: '
                    f'`{flows["clientCredentials"].get("tokenUrl", "")}`), or `pontes_client_set_bearer`')
        return f'`pontes_client_set_bearer(c, "{name}", token)`'
    xa = s.get('x-pontes-auth') if isinstance(s.get('x-pontes-auth'), dict) else {}
    if t == 'apiKey' and xa.get('style') == 'oauth-params':
        return (f'`pontes_client_set_oauth_params(c, "{name}", &o)` (consumer key, optional secret key and '
                f'signing); the code and token are handled by the flow helpers and the token operation')
    if t == 'apiKey' and xa.get('style') == 'static-header':
        return (f'`pontes_client_set_api_key(c, "{name}", value)` or '
                f'`pontes_client_set_api_key_from_certificate(c, "{name}", "cert.pem")`')
    if t == 'apiKey':
        return f'`pontes_client_set_api_key(c, "{name}", key)`'
    return 'the TLS client certificate options (`pontes_client_options`)' if t == 'mutualTLS' else ''


def write(files, out_dir):
    changed = []
    for rel, text in sorted(files.items()):
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = text.encode('utf-8')
        try:
            with open(path, 'rb') as f:
                if f.read() == data:
                    continue
        except OSError:
            pass
        with open(path, 'wb') as f:
            f.write(data)
        changed.append(rel)
    return changed
