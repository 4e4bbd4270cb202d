"""x-pontes-pagination: the model of the three styles, pointer-located validation errors, and the
iterator functions in the generated header and the ABI lock."""
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GEN = os.path.join(ROOT, 'generator', 'pontes-gen')
FIXTURE = os.path.join(ROOT, 'tests', 'generator', 'fixtures', 'pagination.yaml')
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen import abi  # noqa: E402
from pontes_gen.loader import Document, SpecError  # noqa: E402
from pontes_gen.model import build_model  # noqa: E402

PTR = '#/paths/~1v1~1items/get/x-pontes-pagination'


def spec(pagination, params=None, body=None, extra_responses=None, request_body=None):
    """A one-operation spec: GET /v1/items with the given x-pontes-pagination, query parameters
    (name -> schema type) and 200 body schema."""
    params = params if params is not None else {'limit': 'integer', 'cursor': 'string', 'page': 'integer',
                                                'size': 'integer', 'offset': 'integer'}
    body = body if body is not None else {
        'type': 'object',
        'properties': {
            'total': {'type': 'integer'}, 'count': {'type': 'integer'}, 'more': {'type': 'boolean'},
            'label': {'type': 'string'},
            'list': {'type': 'array', 'items': {'$ref': '#/components/schemas/Item'}},
        }}
    responses = {'200': {'description': 'ok', 'content': {'application/json': {'schema': body}}}}
    responses.update(extra_responses or {})
    op = {'operationId': 'ItemList',
          'parameters': [{'name': n, 'in': 'query', 'schema': {'type': t}} for n, t in params.items()]
          + [{'name': 'hdr', 'in': 'header', 'schema': {'type': 'string'}}],
          'x-pontes-pagination': pagination, 'responses': responses}
    if request_body:
        op['requestBody'] = request_body
    return {'openapi': '3.1.0', 'info': {'title': 'T', 'version': '1'}, 'x-pontes-api': 't',
            'paths': {'/v1/items': {'get': op}},
            'components': {'schemas': {'Item': {'type': 'object', 'properties': {
                'id': {'type': 'string'}, 'n': {'type': 'integer'}, 'score': {'type': 'number'}}}}}}


def model(doc_dict):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 's.yaml')
        with open(path, 'w', encoding='utf-8') as f:
            yaml.safe_dump(doc_dict, f, sort_keys=False)
        return build_model(Document(path))


KEYSET = {'style': 'keyset', 'items': 'list', 'limit_param': 'limit', 'cursor_param': 'cursor', 'cursor_from': 'id',
          'has_more': 'more', 'total': 'total'}


class PaginationErrors(unittest.TestCase):
    def error(self, doc_dict):
        with self.assertRaises(SpecError) as cm:
            model(doc_dict)
        return cm.exception

    def check(self, pagination, pointer, text, **kw):
        e = self.error(spec(pagination, **kw))
        self.assertEqual(e.pointer, pointer, e.message)
        self.assertIn(text, e.message)
        return e

    def test_not_a_mapping(self):
        self.check(['keyset'], PTR, 'must be a mapping')

    def test_unknown_style(self):
        self.check({'style': 'cursor', 'items': 'list'}, PTR + '/style',
                   "unknown x-pontes-pagination style 'cursor' (supported: keyset, offset, page)")

    def test_unknown_key(self):
        self.check(dict(KEYSET, page_param='page'), PTR + '/page_param',
                   "unknown x-pontes-pagination key 'page_param' for style keyset")
        self.check({'style': 'offset', 'items': 'list', 'offset_param': 'offset', 'limt_param': 'limit'},
                   PTR + '/limt_param', "unknown x-pontes-pagination key 'limt_param'")

    def test_missing_required_key(self):
        self.check({'style': 'page', 'items': 'list'}, PTR, "style page needs 'page_param'")
        self.check({'style': 'keyset', 'items': 'list', 'cursor_param': 'cursor'}, PTR, "needs 'cursor_from'")

    def test_key_value_not_a_name(self):
        self.check(dict(KEYSET, total=5), PTR + '/total', 'must be a name')
        self.check({'style': 'page', 'items': 'list', 'page_param': 'page', 'first_page': 'one'},
                   PTR + '/first_page', 'first_page must be an integer')

    def test_param_not_a_query_parameter(self):
        self.check(dict(KEYSET, limit_param='lineCount'), PTR + '/limit_param',
                   "limit_param 'lineCount' is not a query parameter of ItemList (query parameters: limit, cursor, "
                   "page, size, offset)")
        self.check(dict(KEYSET, cursor_param='hdr'), PTR + '/cursor_param',
                   "cursor_param 'hdr' is not a query parameter of ItemList")

    def test_param_of_the_wrong_type(self):
        self.check({'style': 'page', 'items': 'list', 'page_param': 'cursor'}, PTR + '/page_param',
                   "page_param 'cursor' must be an integer query parameter (it is a string)")
        self.check(dict(KEYSET, limit_param='cursor', cursor_param='limit'), PTR + '/limit_param',
                   'must be an integer query parameter')

    def test_param_used_twice(self):
        self.check({'style': 'page', 'items': 'list', 'page_param': 'page', 'size_param': 'page'},
                   PTR + '/size_param', "size_param 'page' is also page_param")

    def test_items_not_a_member(self):
        self.check(dict(KEYSET, items='listProcessDetail'), PTR + '/items',
                   "items 'listProcessDetail' is not a member of the 200 response schema of ItemList")

    def test_items_not_an_array(self):
        self.check(dict(KEYSET, items='label'), PTR + '/items', "items 'label' is string, not an array")

    def test_items_dollar_needs_an_array_body(self):
        self.check({'style': 'offset', 'items': '$', 'offset_param': 'offset'}, PTR + '/items',
                   "items '$' means the 200 body is an array")
        e = self.check({'style': 'offset', 'items': 'list', 'offset_param': 'offset'}, PTR + '/items',
                       "use items: '$'", body={'type': 'array', 'items': {'$ref': '#/components/schemas/Item'}})
        self.assertIn('the body is array of Item', e.message)

    def test_has_more_total_count_members(self):
        self.check(dict(KEYSET, has_more='hasMoreResults'), PTR + '/has_more',
                   "has_more 'hasMoreResults' is not a member of the 200 response schema")
        self.check(dict(KEYSET, has_more='total'), PTR + '/has_more', 'not a boolean')
        self.check(dict(KEYSET, total='totalRecords'), PTR + '/total', "total 'totalRecords' is not a member")
        self.check(dict(KEYSET, total='label'), PTR + '/total', 'not an integer')
        self.check({'style': 'page', 'items': 'list', 'page_param': 'page', 'count': 'n'}, PTR + '/count',
                   "count 'n' is not a member")

    def test_cursor_from_not_a_member_of_the_item(self):
        self.check(dict(KEYSET, cursor_from='processUniqueId'), PTR + '/cursor_from',
                   "cursor_from 'processUniqueId' is not a member of the item schema Item (members: id, n, score)")
        self.check(dict(KEYSET, cursor_from='score'), PTR + '/cursor_from', 'not a string or an integer')
        self.check(KEYSET, PTR + '/cursor_from', 'cursor_from needs object items',
                   body={'type': 'object', 'properties': {'list': {'type': 'array', 'items': {'type': 'string'}},
                                                          'more': {'type': 'boolean'},
                                                          'total': {'type': 'integer'}}})

    def test_integer_cursor_needs_an_integer_member(self):
        self.check(dict(KEYSET, cursor_param='page'), PTR + '/cursor_param', 'is an integer but cursor_from')

    def test_operation_without_a_200_json_body(self):
        doc = spec(KEYSET)
        doc['paths']['/v1/items']['get']['responses'] = {'200': {'description': 'no body'}}
        e = self.error(doc)
        self.assertEqual(e.pointer, PTR)
        self.assertIn('ItemList has no 200 response with a JSON body', e.message)
        doc['paths']['/v1/items']['get']['responses'] = {
            '201': {'description': 'x', 'content': {'application/json': {'schema': {'type': 'object'}}}}}
        self.assertIn('no 200 response with a JSON body', self.error(doc).message)

    def test_operation_with_a_request_body(self):
        self.check(KEYSET, PTR, 'has a request body', request_body={
            'content': {'application/json': {'schema': {'type': 'object'}}}})


class PaginationModel(unittest.TestCase):
    def test_fixture_styles_and_functions(self):
        api = build_model(Document(FIXTURE))
        ops = {o.op_id: o for o in api.operations}
        ks = ops['ProcessList'].pagination
        self.assertEqual(ks['style'], 'keyset')
        self.assertEqual((ks['items'], ks['cursor_from'], ks['has_more'], ks['total']),
                         ('listProcessDetail', 'processUniqueId', 'hasMoreResults', 'totalRecords'))
        self.assertEqual((ks['cursor'].name, ks['page_size'].name, ks['number']), ('nextRecord', 'lineCount', None))
        pg = ops['MessageList'].pagination
        self.assertEqual((pg['number'].name, pg['page_size'].name, pg['first_page']), ('pageNumber', 'pageSize', 1))
        off = ops['CallbackList'].pagination
        self.assertIsNone(off['items'])  # '$': the body is the array
        self.assertEqual(off['number'].name, 'offset')
        self.assertIsNone(ops['ProcessDetail'].pagination)
        fns = dict((n, (r, a)) for n, r, a in ks['functions'])
        self.assertEqual(fns['pg_process_list_iter_next'],
                         ('int', ['pg_process_list_iter *it', 'const pg_process **item']))
        self.assertEqual(dict((n, (r, a)) for n, r, a in pg['functions'])['pg_message_list_iter_new'],
                         ('int', ['pg_client *c', 'const char *process_unique_id',
                                  'const pg_message_list_params *params', 'const pontes_call_options *opts',
                                  'pg_message_list_iter **out']))
        code = dict((n, (r, a)) for n, r, a in ops['CodeList'].pagination['functions'])
        self.assertEqual(code['pg_code_list_iter_next'][1][1], 'const int32_t **item')

    def test_abi_lock_pins_the_iterators(self):
        api = build_model(Document(FIXTURE))
        funcs = abi.current(api)['functions']
        for op in ('process_list', 'message_list', 'callback_list', 'code_list'):
            for sfx in ('new', 'next', 'free', 'total', 'pages', 'error', 'page'):
                self.assertIn(f'pg_{op}_iter_{sfx}', funcs)
        self.assertEqual(funcs['pg_process_list_iter_total'], 'int64_t (const pg_process_list_iter *it)')
        self.assertEqual(funcs['pg_callback_list_iter_page'],
                         'const pg_callback_list_response * (const pg_callback_list_iter *it)')
        self.assertNotIn('pg_process_detail_iter_new', funcs)

    def test_generated_header_declares_the_iterators(self):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, GEN, FIXTURE, '--out', tmp, '--quiet', '--abi-lock',
                            os.path.join(tmp, 'lock.json')], check=True)
            with open(os.path.join(tmp, 'include', 'pontes', 'pg.h'), encoding='utf-8') as f:
                h = f.read()
            with open(os.path.join(tmp, 'src', 'pg.c'), encoding='utf-8') as f:
                c = f.read()
        self.assertIn('typedef struct pontes_pager pg_process_list_iter;', h)
        self.assertIn('PG_EXTERN(int) pg_process_list_iter_next(pg_process_list_iter *it, const pg_process **item);', h)
        self.assertIn('static const pontes_pagination_desc pg__pagination_callback_list = {', c)
        self.assertIn('PONTES_PAGE_OFFSET, "CallbackList", &pg_callback_list_response__type,\n    NULL,', c)
        self.assertNotIn('pg_process_detail_iter', h)


if __name__ == '__main__':
    unittest.main()
