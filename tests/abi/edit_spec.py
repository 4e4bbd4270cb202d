#!/usr/bin/env python3
"""Edit a copy of an ECCOR spec (given as its generated openapi.json) for tests/abi/run.sh.

edit_spec.py add IN OUT     additive changes only: an enum value inserted in the middle of
                            CivilStatus, an optional member inserted in the middle of
                            NaturalPersonInput and NaturalPerson, a new operation and schema
edit_spec.py remove IN OUT  an incompatible change: NaturalPersonInput loses 'occupation'
OUT is written as YAML, so it can replace specs/<name>.yaml.
"""
import json
import sys

import yaml


def insert_after(props, after, name, schema):
    out = {}
    for k, v in props.items():
        out[k] = v
        if k == after:
            out[name] = schema
    return out


def main(mode, src, dst):
    with open(src, encoding='utf-8') as f:
        d = json.load(f)
    s = d['components']['schemas']
    if mode == 'add':
        vals = s['CivilStatus']['enum']
        vals.insert(1, 'StableUnion')                      # Married, StableUnion, Widowed, ...
        for n in ('NaturalPersonInput', 'NaturalPerson'):
            s[n]['properties'] = insert_after(s[n]['properties'], 'registrationNumber', 'nickname',
                                              {'type': 'string', 'description': 'Added by the ABI test.'})
        s['AbiProbe'] = {'type': 'object', 'properties': {'ok': {'type': 'boolean'}}}
        d['paths']['/v1/AbiProbe'] = {'get': {
            'operationId': 'getAbiProbe', 'summary': 'Added by the ABI test',
            'responses': {'200': {'description': 'ok', 'content': {'application/json': {
                'schema': {'$ref': '#/components/schemas/AbiProbe'}}}}}}}
    elif mode == 'remove':
        del s['NaturalPersonInput']['properties']['occupation']
    else:
        sys.exit(f'edit_spec.py: unknown mode {mode}')
    with open(dst, 'w', encoding='utf-8') as f:
        yaml.safe_dump(d, f, sort_keys=False, allow_unicode=True, width=120)


if __name__ == '__main__':
    main(*sys.argv[1:])
