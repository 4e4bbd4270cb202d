"""Generator tests of the receiver work (issue 8 items 6 and 7): webhook receivers,
exactly-one-of constraints (oneOf of required members), x-pontes-idempotent."""
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GEN = os.path.join(ROOT, 'generator', 'pontes-gen')
FIXTURE = os.path.join(ROOT, 'tests', 'generator', 'fixtures', 'webhooks.yaml')
sys.path.insert(0, os.path.join(ROOT, 'generator'))

from pontes_gen.loader import Document, SpecError  # noqa: E402
from pontes_gen.model import build_model, check_value, TypeRef  # noqa: E402

BASE = """\
openapi: 3.1.0
info: {title: T, version: "1"}
x-pontes-api: t
"""


def model(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 's.yaml')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(text))
        return build_model(Document(path))


def msg(api, name):
    return next(m for m in api.messages if m.name == name)


class ExactlyOneOf(unittest.TestCase):
    def test_required_only_oneof_is_a_constraint_not_a_union(self):
        api = model(BASE + """\
paths: {}
components:
  schemas:
    N:
      type: object
      required: [t]
      properties:
        t: {type: integer}
        p: {type: string}
        s: {type: string}
      oneOf:
        - required: [p]
        - {required: [s], description: the other one}
""")
        self.assertEqual(api.unions, [])
        m = msg(api, 'N')
        self.assertEqual([f.json_name for f in m.fields], ['t', 'p', 's'])
        self.assertEqual(m.one_of, [[[1], [2]]])
        t = TypeRef('object', named=m)
        self.assertIsNone(check_value(t, {'t': 1, 'p': 'x'}))
        self.assertIn('exactly one of p, s of N: 2 present', check_value(t, {'t': 1, 'p': 'x', 's': 'y'}))
        self.assertIn('none present', check_value(t, {'t': 1}))

    def test_allof_parts_and_multi_member_alternatives(self):
        api = model(BASE + """\
paths: {}
components:
  schemas:
    Base:
      type: object
      properties: {a: {type: string}, b: {type: string}, c: {type: string}}
    P:
      allOf:
        - $ref: '#/components/schemas/Base'
        - oneOf: [{required: [a, b]}, {required: [c]}]
""")
        self.assertEqual(msg(api, 'P').one_of, [[[0, 1], [2]]])
        self.assertEqual(msg(api, 'Base').one_of, [])

    def test_other_oneofs_stay_unions(self):
        api = model(BASE + """\
paths: {}
components:
  schemas:
    A: {type: object, properties: {x: {type: string}}}
    B: {type: object, properties: {y: {type: string}}}
    U:
      oneOf:
        - $ref: '#/components/schemas/A'
        - {required: [y], type: object, properties: {y: {type: string}}}
""")
        self.assertEqual([u.name for u in api.unions], ['U'])

    def test_unknown_member_is_a_pointer_located_error(self):
        with self.assertRaises(SpecError) as cm:
            model(BASE + """\
paths: {}
components:
  schemas:
    N:
      type: object
      properties: {p: {type: string}}
      oneOf: [{required: [p]}, {required: [q]}]
""")
        self.assertEqual(cm.exception.pointer, '#/components/schemas/N/oneOf/1/required/0')
        self.assertIn("exactly-one-of member 'q' is not a property of N", cm.exception.message)


class Idempotent(unittest.TestCase):
    SPEC = BASE + """\
paths:
  /a:
    get: {operationId: plain, responses: {"204": {description: ok}}}
  /b:
    get: {operationId: email, x-pontes-idempotent: false, responses: {"204": {description: ok}}}
  /c:
    post: {operationId: create, responses: {"204": {description: ok}}}
  /d:
    post: {operationId: upsert, x-pontes-idempotent: true, responses: {"204": {description: ok}}}
"""

    def test_flags(self):
        ops = {o.op_id: o for o in model(self.SPEC).operations}
        self.assertEqual((ops['plain'].idempotent, ops['plain'].side_effect), (True, False))
        self.assertEqual((ops['email'].idempotent, ops['email'].side_effect), (False, True))
        self.assertEqual((ops['create'].idempotent, ops['create'].side_effect), (False, False))
        self.assertEqual((ops['upsert'].idempotent, ops['upsert'].side_effect), (True, False))

    def test_not_a_boolean(self):
        with self.assertRaises(SpecError) as cm:
            model(self.SPEC.replace('x-pontes-idempotent: false', 'x-pontes-idempotent: "no"'))
        self.assertEqual(cm.exception.pointer, '#/paths/~1b/get/x-pontes-idempotent')


def fixture_text():
    with open(FIXTURE, encoding='utf-8') as f:
        return f.read().replace('x-pontes-api: wh', 'x-pontes-api: t')


class Webhooks(unittest.TestCase):
    def test_model(self):
        api = model(BASE + """\
paths: {}
webhooks:
  partnerNotification:
    parameters:
      - {name: X-Trace, in: header, schema: {type: string}}
    post:
      parameters:
        - {name: X-Signature, in: header, required: true, schema: {type: string}}
        - {name: Content-Type, in: header, schema: {type: string}}
        - {name: body, in: header, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
      requestBody:
        content:
          application/json; charset=utf-8:
            schema: {type: object, properties: {a: {type: string}}}
      responses: {"200": {description: ok}}
""")
        (w,) = api.webhooks
        self.assertEqual((w.name, w.snake, w.method, w.media), ('partnerNotification', 'partner_notification',
                                                                 'POST', 'application/json'))
        self.assertEqual([(h.name, h.cname, h.required) for h in w.headers],
                         [('X-Trace', 'x_trace', False), ('X-Signature', 'x_signature', True),
                          ('body', 'body_2', False)])  # renamed: body is a fixed member

    def test_fixture_generates_receivers(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([sys.executable, GEN, FIXTURE, '--out', tmp, '--prefix', 'wh', '--quiet'],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(tmp, 'include', 'pontes', 'wh.h'), encoding='utf-8') as f:
                h = f.read()
            with open(os.path.join(tmp, 'src', 'wh.c'), encoding='utf-8') as f:
                c = f.read()
        self.assertIn('typedef struct wh_partner_notification_notification {', h)
        self.assertIn('WH_EXTERN(int) wh_partner_notification_receive(const char *body, size_t len,', h)
        self.assertIn('wh_partner_notification_notification_free(wh_partner_notification_notification *n);', h)
        self.assertIn('const pontes_webhook_desc wh_partner_notification__webhook = {', c)
        self.assertIn('{ "X-Delivery-Id", true, offsetof(wh_partner_notification_notification, x_delivery_id) }', c)
        self.assertIn('static const pontes_one_of wh_partner_notification__one_of[]', c)
        # messages with the constraint: a pontes_message_one_of around the message
        self.assertEqual(len(re.findall(r'static const pontes_message \w+__msg = \{', c)), 3)
        inits = re.findall(r'static const pontes_message_one_of (\w+)__msgx = \{[^;]*?(\w+__one_of), 1 \};', c)
        self.assertEqual(inits, [('wh_partner_notification', 'wh_partner_notification__one_of'),
                                 ('wh_pair', 'wh_pair__one_of')])
        self.assertIn('PONTES_M_SIZED | PONTES_M_ONE_OF', c)
        self.assertRegex(c, r'wh_partner_notification__type = \{[^;]*&wh_partner_notification__msgx\.base')

    def test_abi_lock_lists_receiver(self):
        from pontes_gen import abi
        api = model(fixture_text())
        cur = abi.current(api)
        self.assertEqual([k for k, _ in cur['structs']['t_partner_notification_notification']],
                         ['raw_body', 'raw_body_len', 'body', 'content_type', 'x_delivery_id', 'x_signature'])
        self.assertIn('t_partner_notification_receive', cur['functions'])
        self.assertIn('t_partner_notification_notification_free', cur['functions'])
        # a header added later goes to the end of the struct (additive)
        lock, _ = abi.apply(api, None)
        api2 = model(fixture_text().replace(
            "        - {name: X-Delivery-Id,", "        - {name: X-Aaa, in: header, schema: {type: string}}\n"
            "        - {name: X-Delivery-Id,"))
        lock2, changes = abi.apply(api2, lock)
        self.assertEqual(lock2['abi'], {'major': 1, 'minor': 1})
        self.assertEqual([h.cname for h in api2.webhooks[0].headers], ['x_delivery_id', 'x_signature', 'x_aaa'])


if __name__ == '__main__':
    unittest.main()
