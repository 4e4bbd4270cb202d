"""A stable C ABI across regeneration: the ABI lock file.

The lock (default: next to the spec, `specs/<spec>.abi.json`) pins what a compiled caller
depends on: the order of every struct's members (by JSON name), the numbers of enum values
(by wire value) and union variants, the list of functions with their signatures, and the
library's ABI version (major = SOVERSION, minor = count of additive revisions).

apply() lays the model out against the lock: locked members keep their position and new
ones go at the end of their struct (Message.layout, used for the struct declaration only;
the descriptor table keeps spec order, so JSON member order is unchanged); locked enum
values and union variants keep their numbers and new ones get the next numbers. A removal
or a type change is incompatible: apply() raises AbiBreak unless the break is accepted, in
which case the major is bumped and the layout restarts from spec order.
"""
import json
import os

from .emit import View

LOCK_FORMAT = 1
FIRST_MAJOR = 1   # major 0 was the pre-lock layout (no _size members)


class AbiBreak(Exception):
    def __init__(self, changes):
        super().__init__('incompatible ABI change')
        self.changes = changes


def default_lock_path(spec_path):
    base, ext = os.path.splitext(spec_path)
    if ext.lower() not in ('.yaml', '.yml', '.json'):
        base = spec_path
    return base + '.abi.json'


def _member_key(f):
    return f.json_name or f.cname


def current(api):
    """The ABI of the model as it stands (spec order): the lock's content minus the version."""
    v = View(api)
    structs, enums, unions, functions = {}, {}, {}, {}
    for m in api.messages:
        # a number that may travel as a string has a wire_ member after its has_: part of its type here
        structs[m.cname] = [[_member_key(f), v.ctype(f.type) + (' +wire' if v.is_wire(f.type) else '')]
                            for f in m.fields]
    for op in api.operations:
        if op.params:
            structs[f'{api.prefix}_{op.snake}_params'] = [[p.cname, v.param_member(p)[:-len(p.cname)].strip()]
                                                          for p in op.params]
        for fname, body, _ in v.op_funcs(op):
            functions[fname] = 'int (' + ', '.join(v.op_args(op, body)) + ')'
            functions[fname + '_ex'] = 'int (' + ', '.join(v.op_args(op, body) + ['const pontes_call_options *opts']) + ')'
    for f in getattr(api, 'flows', None) or []:
        # the helpers of x-pontes-flows (templates/flows.h.j2): two functions, a result and its _free
        p, cl, n = api.prefix, f'{api.prefix}_client *c', f['name']
        sbody = f['start'].bodies[0] if f['start'].bodies else None
        start = [cl, 'const char *redirect_uri'] + ([f'const {v.body_ctype(sbody)} *body'] if sbody else [])
        functions[f'{p}_{n}_start'] = 'int (' + ', '.join(start + ['pontes_flow_start **out']) + ')'
        finish = [cl, 'const char *redirect_url'] + (['const char *state'] if f['code_scheme'] else [])
        functions[f'{p}_{n}_finish'] = 'int (' + ', '.join(finish + [f'{p}_{n}_result **out']) + ')'
        functions[f'{p}_{n}_result_free'] = f'void ({p}_{n}_result *r)'
        members = [['operation_id', 'char *']]
        if f['code_scheme']:
            members.append(['token_expires_at', 'int64_t'])
        elif f['keep_result']:
            members.append(['operation', f['finish'].success.cname + ' *'])
        structs[f'{p}_{n}_result'] = members
    if getattr(api, 'coverage_fn', ''):
        functions[api.coverage_fn] = 'const pontes_coverage *(void)'  # the provenance report (coverage.h.j2)
    for w in getattr(api, 'webhooks', None) or []:
        # the receiver of a webhook (templates/api.h.j2): its notification struct and two functions
        wn = f'{api.prefix}_{w.snake}'
        structs[f'{wn}_notification'] = ([['raw_body', 'const char *'], ['raw_body_len', 'size_t'],
                                          ['body', f'{w.root.cname} *'], ['content_type', 'const char *']]
                                         + [[h.cname, 'const char *'] for h in w.headers])
        functions[f'{wn}_receive'] = ('int (const char *body, size_t len, const pontes_header *headers, '
                                      'size_t header_count, const pontes_decode_options *opts, '
                                      f'{wn}_notification **out, pontes_error *err)')
        functions[f'{wn}_notification_free'] = f'void ({wn}_notification *n)'
    for op in api.operations:
        # the iterator of x-pontes-pagination (templates/pager.h.j2): seven functions per list operation
        for name, ret, args in (op.pagination or {}).get('functions', []):
            functions[name] = f'{ret} (' + ', '.join(args) + ')'
    for e in api.enums:
        enums[e.cname] = list(e.values)
    for u in api.unions:
        unions[u.cname] = [[x.member, v.ctype(x.type)] for x in u.variants]
    return dict(structs=structs, enums=enums, unions=unions, functions=functions)


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        try:
            lock = json.load(f)
        except ValueError as e:
            raise ValueError(f'{path}: not valid JSON: {e}')
    if not isinstance(lock, dict) or lock.get('format') != LOCK_FORMAT or not isinstance(lock.get('abi'), dict):
        raise ValueError(f'{path}: not a pontes ABI lock (format {LOCK_FORMAT})')
    for k in ('structs', 'enums', 'unions', 'functions'):
        lock.setdefault(k, {})
    return lock


def _merge_list(old, new, key, what, name, changes):
    """old/new: lists of entries; key(entry) the identity. Returns the merged order
    (locked entries first, new ones appended) and records changes."""
    new_by = {key(x): x for x in new}
    old_keys = [key(x) for x in old]
    out = []
    for x in old:
        k = key(x)
        if k not in new_by:
            changes.append(('break', f'{what} {name}.{k} removed'))
            continue
        if x != new_by[k]:
            changes.append(('break', f'{what} {name}.{k}: type {x[1]} -> {new_by[k][1]}'))
        out.append(new_by[k])
    for x in new:
        if key(x) not in old_keys:
            changes.append(('add', f'{what} {name}.{key(x)} ({x[1]})' if isinstance(x, list)
                            else f'{what} {name} "{x}" = {len(out) + 1}'))
            out.append(x)
    return out


def merge(lock, cur):
    """(merged ABI in lock order, changes [(kind, text)])."""
    changes = []
    merged = dict(structs={}, enums={}, unions={}, functions={})
    for sect, what, key in (('structs', 'member', lambda x: x[0]), ('enums', 'enum value', lambda x: x),
                            ('unions', 'variant', lambda x: x[0])):
        old, new = lock[sect], cur[sect]
        for name in sorted(set(old) | set(new)):
            if name not in new:
                changes.append(('break', f'{sect[:-1]} {name} removed'))
            elif name not in old:
                changes.append(('add', f'{sect[:-1]} {name}'))
                merged[sect][name] = new[name]
            else:
                merged[sect][name] = _merge_list(old[name], new[name], key, what, name, changes)
    for name in sorted(set(lock['functions']) | set(cur['functions'])):
        o, n = lock['functions'].get(name), cur['functions'].get(name)
        if n is None:
            changes.append(('break', f'function {name} removed'))
        elif o is None:
            changes.append(('add', f'function {name}'))
        elif o != n:
            changes.append(('break', f'function {name}: {o} -> {n}'))
        if n is not None:
            merged['functions'][name] = n
    return merged, changes


def _reorder(items, order, key):
    pos = {k: i for i, k in enumerate(order)}
    return sorted(items, key=lambda x: pos[key(x)])


def apply(api, lock, accept_break=False):
    """Lay api out against lock (None: no lock yet). Sets api.abi_major/abi_minor, Message.layout,
    Operation.param_layout; reorders enum values and union variants. Returns (new lock, changes).
    Raises AbiBreak on an incompatible change unless accept_break."""
    cur = current(api)
    if lock is None:
        merged, changes, major, minor = cur, [('add', 'new ABI lock')], FIRST_MAJOR, 0
    else:
        merged, changes = merge(lock, cur)
        major, minor = lock['abi']['major'], lock['abi']['minor']
        breaks = [c for _, c in changes if _ == 'break']
        if breaks:
            if not accept_break:
                raise AbiBreak([c for c in changes if c[0] == 'break'])
            merged, major, minor = cur, major + 1, 0
        elif changes:
            minor += 1
    api.abi_major, api.abi_minor = major, minor
    for m in api.messages:
        m.layout = _reorder(m.fields, [k for k, _ in merged['structs'][m.cname]], _member_key)
    for op in api.operations:
        op.param_layout = (_reorder(op.params, [k for k, _ in merged['structs'][f'{api.prefix}_{op.snake}_params']],
                                    lambda p: p.cname) if op.params else [])
    for w in getattr(api, 'webhooks', None) or []:
        order = [k for k, _ in merged['structs'][f'{api.prefix}_{w.snake}_notification']]
        w.headers = _reorder(w.headers, order, lambda h: h.cname)
    for e in api.enums:
        order = {val: i for i, val in enumerate(merged['enums'][e.cname])}
        idx = sorted(range(len(e.values)), key=lambda i: order[e.values[i]])
        e.values, e.consts, e.descriptions = ([e.values[i] for i in idx], [e.consts[i] for i in idx],
                                              [e.descriptions[i] for i in idx])
    for u in api.unions:
        u.variants = _reorder(u.variants, [k for k, _ in merged['unions'][u.cname]], lambda x: x.member)
    new_lock = dict(format=LOCK_FORMAT, api=api.prefix, abi=dict(major=major, minor=minor), **merged)
    return new_lock, changes


def dumps(lock):
    """Deterministic, sorted, one entry per line: a spec change is a readable diff."""
    def scalar_list(xs):
        return '[' + ', '.join(json.dumps(x, ensure_ascii=False) for x in xs) + ']'

    out = ['{']
    out.append(f' "format": {lock["format"]},')
    out.append(f' "api": {json.dumps(lock["api"])},')
    out.append(f' "abi": {{"major": {lock["abi"]["major"]}, "minor": {lock["abi"]["minor"]}}},')
    out.append(' "_comment": "pontes ABI lock: struct member order, enum/union numbering (index + 1), '
               'functions. Additions are appended by tools/regenerate.sh; removals and type changes '
               'need tools/regenerate.sh --accept-abi-break <api> (bumps major = SOVERSION).",')
    sections = ['structs', 'enums', 'unions', 'functions']
    for si, sect in enumerate(sections):
        d = lock[sect]
        out.append(f' {json.dumps(sect)}: {{')
        names = sorted(d)
        for ni, name in enumerate(names):
            comma = ',' if ni < len(names) - 1 else ''
            val = d[name]
            if sect == 'functions':
                out.append(f'  {json.dumps(name)}: {json.dumps(val, ensure_ascii=False)}{comma}')
            elif sect == 'enums':
                out.append(f'  {json.dumps(name)}: [')
                for i, x in enumerate(val):
                    out.append(f'   {json.dumps(x, ensure_ascii=False)}{"," if i < len(val) - 1 else ""}')
                out.append(f'  ]{comma}')
            else:
                out.append(f'  {json.dumps(name)}: [')
                for i, x in enumerate(val):
                    out.append(f'   {scalar_list(x)}{"," if i < len(val) - 1 else ""}')
                out.append(f'  ]{comma}')
        out.append(' }' + (',' if si < len(sections) - 1 else ''))
    out.append('}')
    return '\n'.join(out) + '\n'


def report(api, changes, old_lock, lib_dir_hint=''):
    """Short human report of an ABI update."""
    old = f'{old_lock["abi"]["major"]}.{old_lock["abi"]["minor"]}' if old_lock else 'none'
    new = f'{api.abi_major}.{api.abi_minor}'
    kind = ('incompatible: soname bumped' if old_lock and api.abi_major != old_lock['abi']['major']
            else 'additive: soname unchanged')
    lines = [f'pontes-gen: {api.prefix}: ABI {old} -> {new} ({kind}, libpontes_{api.prefix}.so.{api.abi_major})']
    for k, text in changes:
        lines.append(f'  {"+" if k == "add" else "!"} {text}')
    return '\n'.join(lines)
