"""Load OpenAPI documents (YAML 1.2 semantics on top of PyYAML) and resolve $ref."""
import json
import os
import re

import yaml


class SpecError(Exception):
    """A problem in a spec, located by file and JSON pointer."""

    def __init__(self, file, pointer, message):
        self.file = file
        self.pointer = pointer
        self.message = message
        super().__init__(f"{file}: {pointer or '#'}: {message}")


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars.

    PyYAML implements YAML 1.1: unquoted `no`/`on` become booleans, `10:30`
    becomes 630 and `2023-11-21T03:00:00Z` a datetime. OpenAPI tooling (Redocly,
    Swagger UI, Prism) reads YAML 1.2, where all of those are plain strings; we
    must see the same document they see.
    """


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v
        if tag not in ('tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int',
                       'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp')]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver('tag:yaml.org,2002:bool', re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'),
                              list('tTfF'))
_Loader.add_implicit_resolver('tag:yaml.org,2002:int', re.compile(r'^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$'),
                              list('-+0123456789'))
_Loader.add_implicit_resolver(
    'tag:yaml.org,2002:float',
    re.compile(r'^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$'),
    list('-+0123456789.'))


def _construct_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith('0o'):
        return int(v[2:], 8)
    if v.startswith('0x'):
        return int(v[2:], 16)
    return int(v)


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (dict, list)):
            raise yaml.constructor.ConstructorError(None, None, 'unhashable key', key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f'duplicate key {key!r} (first at line {seen[key]})', key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor('tag:yaml.org,2002:int', _construct_int)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_file(path):
    """Parse a YAML or JSON file; keys keep their order."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise SpecError(path, '', f'cannot read: {e.strerror}')
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise SpecError(path, '', f'not UTF-8 (byte {e.start})')
    try:
        if path.endswith('.json'):
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (SafeLoader subclass)
    except (yaml.YAMLError, ValueError) as e:
        raise SpecError(path, '', f'invalid YAML/JSON: {e}')


def escape_pointer_token(tok):
    return str(tok).replace('~', '~0').replace('/', '~1')


def unescape_pointer_token(tok):
    return tok.replace('~1', '/').replace('~0', '~')


def join_pointer(base, *tokens):
    return base + ''.join('/' + escape_pointer_token(t) for t in tokens)


class Document:
    """A spec plus the files it references; resolves $ref by (file, pointer)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.display = path
        self.files = {self.path: load_file(path)}
        self.root = self.files[self.path]

    def get(self, file, pointer):
        """Node at pointer ('#/a/b' or '/a/b' or '') in file."""
        if file not in self.files:
            self.files[file] = load_file(file)
        node = self.files[file]
        ptr = pointer[1:] if pointer.startswith('#') else pointer
        if ptr == '':
            return node
        if not ptr.startswith('/'):
            raise KeyError(pointer)
        for tok in ptr[1:].split('/'):
            tok = unescape_pointer_token(tok)
            if isinstance(node, dict) and tok in node:
                node = node[tok]
            elif isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
                node = node[int(tok)]
            else:
                raise KeyError(pointer)
        return node

    def resolve_ref(self, file, ref, where):
        """Target (file, pointer) of a $ref string found at `where`."""
        if not isinstance(ref, str):
            raise SpecError(self.rel(file), where, '$ref must be a string')
        if '#' in ref:
            target, frag = ref.split('#', 1)
        else:
            target, frag = ref, ''
        tfile = file if target == '' else os.path.normpath(os.path.join(os.path.dirname(file), target))
        if target and not os.path.exists(tfile):
            raise SpecError(self.rel(file), where, f"$ref '{ref}': file not found")
        try:
            self.get(tfile, '#' + frag)
        except KeyError:
            raise SpecError(self.rel(file), where, f"$ref '{ref}' does not resolve")
        return tfile, '#' + frag

    def deref(self, file, pointer, node):
        """Follow $ref chains from node; returns (file, pointer, node)."""
        seen = set()
        while isinstance(node, dict) and '$ref' in node:
            key = (file, pointer)
            if key in seen:
                raise SpecError(self.rel(file), pointer, '$ref cycle')
            seen.add(key)
            file, pointer = self.resolve_ref(file, node['$ref'], pointer + '/$ref' if pointer else '#/$ref')
            node = self.get(file, pointer)
        return file, pointer, node

    def rel(self, file):
        if file == self.path:
            return self.display
        return os.path.relpath(file)
