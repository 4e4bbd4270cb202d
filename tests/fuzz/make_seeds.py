#!/usr/bin/env python3
"""Writes the seed corpus of the schema fuzz harness, deterministically.

    make_seeds.py --out tests/fuzz/corpus [--list LIST] API=openapi.json ...

For every API: every example of the spec whose schema is a named component (media-type
and parameter `example`/`examples`, component-level `example`) becomes
<out>/<api>/<Schema>/example-<where>.json, and for every component schema two
instances are synthesized from the schema (using property examples where the spec has
them): synth-full.json (every property) and synth-required.json (required members only),
plus one synth-variant-<i>.json per oneOf/anyOf variant. --list is the output of
`fuzz_schemas_replay --list`; with it, only schemas of the registry are written.
Existing seed files (names example-*, synth-*) of the API are replaced; other files
(minimized libFuzzer inputs) are kept.
"""
import argparse
import json
import os
import re
import sys

SAMPLE_STRINGS = {
    'date': '2024-01-31',
    'date-time': '2024-01-31T12:34:56Z',
    'uuid': '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    'byte': 'SGVsbG8=',
    'binary': 'SGVsbG8=',
    'email': 'a@example.com',
    'uri': 'https://example.com/x',
}


def dump(v):
    return json.dumps(v, ensure_ascii=False, separators=(',', ':'))


class Synth:
    def __init__(self, spec):
        self.schemas = spec.get('components', {}).get('schemas', {})

    def resolve(self, s):
        seen = 0
        while isinstance(s, dict) and '$ref' in s and seen < 20:
            name = s['$ref'].rsplit('/', 1)[-1]
            s = self.schemas.get(name, {})
            seen += 1
        return s if isinstance(s, dict) else {}

    def value(self, s, full, depth, variant=0):
        s = self.resolve(s)
        if 'example' in s:
            return s['example']
        if s.get('enum'):
            return s['enum'][0]
        if 'const' in s:
            return s['const']
        if 'allOf' in s:
            out = {}
            for part in s['allOf']:
                v = self.value(part, full, depth + 1)
                if isinstance(v, dict):
                    out.update(v)
            v = self.object(s, full, depth)
            if isinstance(v, dict):
                out.update(v)
            return out
        for key in ('oneOf', 'anyOf'):
            if s.get(key):
                alts = s[key]
                return self.value(alts[variant % len(alts)], full, depth + 1)
        t = s.get('type')
        if isinstance(t, list):
            t = next((x for x in t if x != 'null'), 'null')
        if t is None:
            t = 'object' if 'properties' in s else ('array' if 'items' in s else None)
        if t == 'string':
            return SAMPLE_STRINGS.get(s.get('format'), 'text')
        if t == 'integer':
            return int(s.get('minimum', 1))
        if t == 'number':
            return s.get('minimum', 1.5)
        if t == 'boolean':
            return True
        if t == 'null':
            return None
        if t == 'array':
            if depth > 6:
                return []
            return [self.value(s.get('items', {}), full, depth + 1)]
        if t == 'object':
            return self.object(s, full, depth)
        return 'any'

    def object(self, s, full, depth):
        out = {}
        if depth > 6:
            return out
        req = set(s.get('required', []))
        for name, p in s.get('properties', {}).items():
            if full or name in req:
                out[name] = self.value(p, full, depth + 1)
        ap = s.get('additionalProperties')
        if full and isinstance(ap, dict) and not s.get('properties'):
            out['key'] = self.value(ap, full, depth + 1)
        return out


def examples_of(node, where, found):
    """(schema name, where, value) for every example next to a named schema."""
    if isinstance(node, dict):
        sch = node.get('schema')
        if isinstance(sch, dict) and '$ref' in sch:
            name = sch['$ref'].rsplit('/', 1)[-1]
            if 'example' in node:
                found.append((name, where, node['example']))
            for k, ex in sorted((node.get('examples') or {}).items()):
                if isinstance(ex, dict) and 'value' in ex:
                    found.append((name, where + '-' + k, ex['value']))
        for k, v in node.items():
            examples_of(v, where + '-' + str(k), found)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            examples_of(v, where + '-' + str(i), found)


def camel(s):
    return ''.join(w[:1].upper() + w[1:] for w in re.split(r'[^A-Za-z0-9]+', s) if w)


def inline_schemas(spec, syn):
    """Guesses at the registry names of inline schemas (the generator names them after
    their parent: <Schema><Property>, <Schema>Item, <OperationId>Request/Response)."""
    out = {}

    def walk(name, s, depth):
        if depth > 6 or not isinstance(s, dict) or '$ref' in s:
            return
        out.setdefault(name, s)
        for p, ps in (s.get('properties') or {}).items():
            walk(name + camel(p), ps, depth + 1)
        if isinstance(s.get('items'), dict):
            walk(name + 'Item', s['items'], depth + 1)
        if isinstance(s.get('additionalProperties'), dict):
            walk(name + 'Value', s['additionalProperties'], depth + 1)
        for key in ('oneOf', 'anyOf', 'allOf'):
            for i, v in enumerate(s.get(key) or []):
                walk(name + 'Option' + str(i + 1), v, depth + 1)

    for name, s in syn.schemas.items():
        walk(name, s, 0)
    for path, item in sorted((spec.get('paths') or {}).items()):
        for method, op in sorted(item.items()):
            if not isinstance(op, dict) or 'operationId' not in op:
                continue
            base = camel(op['operationId'])
            for mt in ((op.get('requestBody') or {}).get('content') or {}).values():
                if isinstance(mt, dict) and 'schema' in mt:
                    walk(base + 'Request', mt['schema'], 0)
            for code, r in sorted((op.get('responses') or {}).items()):
                for mt in ((r or {}).get('content') or {}).values():
                    if isinstance(mt, dict) and 'schema' in mt:
                        walk(base + ('Response' if str(code).startswith('2') else 'Error' + str(code)), mt['schema'], 0)
    return out


def slug(s):
    s = re.sub(r'[^A-Za-z0-9]+', '-', s).strip('-')
    return s[:100] or 'x'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--list')
    ap.add_argument('specs', nargs='+', metavar='API=openapi.json')
    a = ap.parse_args()
    registry = None
    if a.list:
        registry = {}
        with open(a.list, encoding='utf-8') as f:
            for line in f:
                api, _, name = line.split()
                registry.setdefault(api, set()).add(name)
    for arg in a.specs:
        api, _, path = arg.partition('=')
        with open(path, encoding='utf-8') as f:
            spec = json.load(f)
        names = registry.get(api, set()) if registry is not None else set(spec.get('components', {}).get('schemas', {}))
        seeds = {}
        found = []
        examples_of(spec.get('paths', {}), 'paths', found)
        examples_of(spec.get('webhooks', {}), 'webhooks', found)
        syn = Synth(spec)
        for name, s in sorted(spec.get('components', {}).get('schemas', {}).items()):
            if isinstance(s, dict) and 'example' in s:
                found.append((name, 'component', s['example']))
        for name, where, value in found:
            if name in names:
                seeds.setdefault(name, {})['example-' + slug(where) + '.json'] = dump(value)
        guessed = inline_schemas(spec, syn)
        for name in sorted(names):
            s = syn.schemas.get(name, guessed.get(name))
            if s is None:
                seeds.setdefault(name, {}).update({'synth-empty-object.json': '{}', 'synth-empty-array.json': '[]'})
                continue
            d = seeds.setdefault(name, {})
            d['synth-full.json'] = dump(syn.value(s, True, 0))
            d['synth-required.json'] = dump(syn.value(s, False, 0))
            r = syn.resolve(s)
            for key in ('oneOf', 'anyOf'):
                for i in range(len(r.get(key) or [])):
                    d['synth-variant-%d.json' % i] = dump(syn.value(r, True, 0, i))
        n = 0
        for name in sorted(names):
            d = os.path.join(a.out, api, name)
            os.makedirs(d, exist_ok=True)
            for old in os.listdir(d):
                if old.startswith(('example-', 'synth-')):
                    os.remove(os.path.join(d, old))
            for fn, text in sorted(seeds.get(name, {}).items()):
                with open(os.path.join(d, fn), 'w', encoding='utf-8') as f:
                    f.write(text)
                n += 1
        print('make_seeds: %s: %d seeds for %d schemas' % (api, n, len(names)))


if __name__ == '__main__':
    sys.exit(main())
