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


SESSION_SPEC = """\
openapi: 3.1.0
info: {title: S, version: "1"}
x-pontes-api: s
paths:
  /login:
    post:
      operationId: Authenticate
      security: LOGINSEC
      responses: {"200": {description: ok}}
  /login/{id}:
    post:
      operationId: LoginWithPath
      security: []
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /v1/things:
    get:
      operationId: ThingList
      security: [{sess: []}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    sess:
      type: http
      scheme: SCHEME
      x-pontes-auth:
AUTH
"""

SESSION_AUTH = {
    'style': 'session',
    'login_operation': 'Authenticate',
    'token_member': 'sessionToken',
    'idle_timeout': '1800',
    'idle_margin': '60',
    'credentials': '{client_id: {header: xClientID, secret: true}, broker_id: {header: xBrokerUID}}',
}


def session(scheme='bearer', loginsec='[]', drop=(), **over):
    keys = dict(SESSION_AUTH)
    for k in drop:
        keys.pop(k)
    keys.update(over)
    auth = ''.join(f'        {k}: {v}\n' for k, v in keys.items())
    return (SESSION_SPEC.replace('SCHEME', scheme).replace('LOGINSEC', loginsec)
            .replace('AUTH\n', auth))


class SessionProfile(unittest.TestCase):
    PTR = '#/components/securitySchemes/sess/x-pontes-auth'

    def error(self, text):
        with self.assertRaises(SpecError) as cm:
            model(text)
        return cm.exception

    def test_model(self):
        api = model(session())
        ops = {o.op_id: o for o in api.operations}
        sec = ops['ThingList'].security[0]
        self.assertEqual(sec[0], 'sess')
        self.assertEqual(sec[1], 'PONTES_SEC_BEARER')
        prof = sec[6]
        self.assertEqual(prof['style'], 'session')
        self.assertIs(prof['login_op'], ops['Authenticate'])
        self.assertEqual(prof['token_operation'], 'Authenticate')
        self.assertEqual(prof['token_member'], 'sessionToken')
        self.assertEqual((prof['idle_timeout'], prof['idle_margin']), (1800, 60))
        self.assertEqual(prof['credentials'], [('client_id', 'xClientID', True), ('broker_id', 'xBrokerUID', False)])
        self.assertEqual([x[0] for x in api.auth_profiles], ['sess'])
        # optional keys: no token_member (a bare string only), no margin
        prof = model(session(drop=('token_member', 'idle_margin'))).auth_profiles[0][2]
        self.assertIsNone(prof['token_member'])
        self.assertEqual(prof['idle_margin'], 0)

    def test_unknown_key(self):
        e = self.error(session(colour='blue'))
        self.assertEqual(e.pointer, self.PTR + '/colour')
        self.assertIn("unknown x-pontes-auth key 'colour' for style session", e.message)

    def test_other_style_on_bearer(self):
        e = self.error(session(style='oauth-params'))
        self.assertEqual(e.pointer, self.PTR + '/style')
        self.assertIn('must be style session', e.message)

    def test_not_bearer(self):
        e = self.error(session(scheme='basic'))
        self.assertEqual(e.pointer, self.PTR)
        self.assertIn('needs scheme: bearer', e.message)

    def test_session_on_api_key(self):
        text = session().replace('type: http\n      scheme: bearer', 'type: apiKey\n      in: header\n      name: X')
        e = self.error(text)
        self.assertEqual(e.pointer, self.PTR + '/style')
        self.assertIn('needs an http bearer scheme', e.message)

    def test_login_operation(self):
        e = self.error(session(login_operation='Nope'))
        self.assertEqual(e.pointer, self.PTR + '/login_operation')
        self.assertIn("login_operation 'Nope' is not an operationId", e.message)
        e = self.error(session(drop=('login_operation',)))
        self.assertEqual(e.pointer, self.PTR)
        self.assertIn('needs login_operation', e.message)
        e = self.error(session(login_operation='LoginWithPath'))
        self.assertEqual(e.pointer, self.PTR + '/login_operation')
        self.assertIn('has path parameters', e.message)
        e = self.error(session(loginsec='[{sess: []}]'))
        self.assertEqual(e.pointer, self.PTR + '/login_operation')
        self.assertIn('requires scheme sess itself', e.message)

    def test_idle_timeout(self):
        for bad in ('0', '-5', '"1800"', 'true', '1.5'):
            e = self.error(session(idle_timeout=bad))
            self.assertEqual(e.pointer, self.PTR + '/idle_timeout', bad)
            self.assertIn('idle_timeout must be a positive integer', e.message)
        e = self.error(session(drop=('idle_timeout',)))
        self.assertEqual(e.pointer, self.PTR)
        self.assertIn('needs idle_timeout', e.message)
        e = self.error(session(idle_margin='-1'))
        self.assertEqual(e.pointer, self.PTR + '/idle_margin')
        self.assertIn('non-negative integer', e.message)
        e = self.error(session(idle_margin='1800'))
        self.assertEqual(e.pointer, self.PTR + '/idle_margin')
        self.assertIn('must be smaller than idle_timeout', e.message)

    def test_credentials(self):
        e = self.error(session(credentials='[client_id]'))
        self.assertEqual(e.pointer, self.PTR + '/credentials')
        self.assertIn('credentials must be a non-empty mapping', e.message)
        e = self.error(session(credentials='{}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials')
        e = self.error(session(drop=('credentials',)))
        self.assertEqual(e.pointer, self.PTR)
        e = self.error(session(credentials='{client_id: xClientID}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/client_id')
        self.assertIn("credential 'client_id' must be a mapping", e.message)
        e = self.error(session(credentials='{client_id: {header: "x Client"}}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/client_id/header')
        self.assertIn('must be an HTTP header name', e.message)
        e = self.error(session(credentials='{client_id: {secret: true}}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/client_id')
        self.assertIn('must be an HTTP header name', e.message)
        e = self.error(session(credentials='{client_id: {header: X, secret: "yes"}}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/client_id/secret')
        self.assertIn('secret must be true or false', e.message)
        e = self.error(session(credentials='{client_id: {header: X, colour: red}}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/client_id/colour')
        self.assertIn("unknown key 'colour' of credential 'client_id'", e.message)
        e = self.error(session(credentials='{a: {header: X-Id}, b: {header: x-id}}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/b/header')
        self.assertIn("also the header of credential 'a'", e.message)
        e = self.error(session(credentials='{"a b": {header: X}}'))
        self.assertEqual(e.pointer, self.PTR + '/credentials/a b')

    def test_token_member(self):
        e = self.error(session(token_member='""'))
        self.assertEqual(e.pointer, self.PTR + '/token_member')
        self.assertIn('token_member must be a non-empty string', e.message)

    def test_emitted(self):
        import subprocess
        with tempfile.TemporaryDirectory() as tmp:
            spec = os.path.join(tmp, 's.yaml')
            with open(spec, 'w', encoding='utf-8') as f:
                f.write(session())
            subprocess.run([sys.executable, os.path.join(ROOT, 'generator', 'pontes-gen'), spec, '--out',
                            os.path.join(tmp, 'out'), '--quiet'], check=True)
            with open(os.path.join(tmp, 'out', 'src', 's.c'), encoding='utf-8') as f:
                c = ' '.join(f.read().split())
        self.assertIn('PONTES_AUTH_SESSION', c)
        self.assertIn('&s_op_authenticate, 1800, 60', c)
        self.assertIn('{ "client_id", "xClientID", true }', c)
        self.assertIn('s__auth_profiles, 1 }', c)


if __name__ == '__main__':
    unittest.main()
