"""x-pontes-auth (security scheme profiles) and x-pontes-flows: model and validation errors."""
import os
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen.loader import Document, SpecError  # noqa: E402
from pontes_gen.model import build_model  # noqa: E402

SPEC = """\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
paths:
  /start:
    post:
      operationId: start
      security: [{oa: [], cert: []}]
      parameters:
      - {name: redirect_uri, in: header, required: true, schema: {type: string}}
      - {name: state, in: header, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {LoginUrl: {type: string}}}
  /token:
    post:
      operationId: token
      security: [{oa: [code], cert: []}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {access_token: {type: string}, expires_in: {type: integer}}}
  /data:
    post:
      operationId: data
      security: [{oa: [ROLE]}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    oa:
      type: apiKey
      in: header
      name: Authorization
      x-pontes-auth:
        style: STYLE
        consumer_key_param: oauth_consumer_key
        code_param: code
        token_param: access_token
        roles: {code: c, access_token: t}
        token_operation: TOKENOP
        expires_in: absolute-epoch
        token_invalid: [EGEN003]
    cert:
      type: apiKey
      in: header
      name: Certificate
      x-pontes-auth: {style: static-header}
FLOWS
"""

FLOWS = """\
x-pontes-flows:
  consent:
    start: start
    redirect_uri_param: redirect_uri
    state_param: state
    login_url: LoginUrl
    redirect: {code: code, state: state, operation_id: oper_id}
    code_scheme: oa
    finish: FINISH
"""


def model(text):
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, 's.yaml')
        with open(p, 'w', encoding='utf-8') as f:
            f.write(text)
        return build_model(Document(p))


def make(style='oauth-params', role='access_token', tokenop='token', flows=FLOWS, finish='token'):
    return (SPEC.replace('STYLE', style).replace('ROLE', role).replace('TOKENOP', tokenop)
            .replace('FLOWS', flows.replace('FINISH', finish)))


class AuthProfile(unittest.TestCase):
    def error(self, text):
        with self.assertRaises(SpecError) as cm:
            model(text)
        return cm.exception

    def test_model(self):
        api = model(make())
        ops = {o.op_id: o for o in api.operations}
        tok = ops['token'].security
        self.assertEqual([s[0] for s in tok], ['oa', 'cert'])
        self.assertEqual(tok[0][1], 'PONTES_SEC_OAUTH_PARAMS')
        self.assertEqual(tok[0][4], tok[1][4])       # one requirement: same group
        self.assertGreater(tok[0][4], 0)
        self.assertEqual(tok[0][5], ['code'])
        self.assertEqual(tok[0][6]['expires'], 'PONTES_AUTH_EXPIRES_ABSOLUTE')
        self.assertEqual(tok[0][6]['token_invalid'], ['EGEN003'])
        self.assertEqual(tok[1][6]['style'], 'static-header')
        self.assertEqual(ops['data'].security[0][4], 0)  # a single scheme: no group
        self.assertEqual([f['name'] for f in api.flows], ['consent'])

    def test_unknown_style(self):
        e = self.error(make(style='hmac-magic'))
        self.assertEqual(e.pointer, '#/components/securitySchemes/oa/x-pontes-auth/style')
        self.assertIn("unknown x-pontes-auth style 'hmac-magic'", e.message)

    def test_undeclared_role(self):
        e = self.error(make(role='admin'))
        self.assertEqual(e.pointer, '#/paths/~1data/post/security/0/oa')
        self.assertIn("role 'admin' is not declared", e.message)

    def test_unknown_token_operation(self):
        e = self.error(make(tokenop='nope'))
        self.assertEqual(e.pointer, '#/components/securitySchemes/oa/x-pontes-auth/token_operation')

    def test_flow_finish_without_code_role(self):
        e = self.error(make(finish='start'))
        self.assertEqual(e.pointer, '#/x-pontes-flows/consent/finish')
        self.assertIn('does not require role code', e.message)

    def test_flow_unknown_key(self):
        e = self.error(make(flows=FLOWS + '    colour: blue\n'))
        self.assertEqual(e.pointer, '#/x-pontes-flows/consent/colour')


if __name__ == '__main__':
    unittest.main()
