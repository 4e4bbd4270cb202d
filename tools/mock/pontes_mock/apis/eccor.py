"""ECCOR FGTS (x-pontes-api: eccor): natural persons, bank accounts and credit notes.

Stateful operations (ECCOR_OPS): persons created, read, listed (filters registrationNumber,
phone, personDisplay, searchString), updated; bank accounts added, updated, deleted; credit
notes created (product, person, beneficiary and account checked), submitted for approval
(draft only) and their payment revision done (status 13 -> 3).  Records start from the
spec's examples (the example person, the listed persons and products, the example credit
note as a draft).  Every other operation answers with its example.

Admin endpoints (besides the core ones):
    POST /__admin/webhooks/{creditNoteId}  {"url": "http://127.0.0.1:PORT/...",
         "transitions": "all" | [[old, new], ...]}: POST the creditNoteStatusChanged events
         (the spec's examples, or made from them for the given transitions) and apply each
         event's newStatus
    POST /__admin/credit-notes/{id}/status {"status": 13}: set a credit note's status
"""

import copy
import re
import threading
import urllib.parse
import uuid

from .. import webhooks
from ..errors import MockError, correlation_id, form_error, now_local
from ..plugins import Answer, ApiState, admin_json, register
from ..schema import Validator, resolved_schema
from ..spec import HTTP_METHODS

CIVIL_STATUS_PT = {"Married": "Casado", "Widowed": "Viúvo", "Separated": "Separado",
                   "Divorced": "Divorciado", "Single": "Solteiro"}
ACCOUNT_TYPE_PT = {"NaturalCheckingAccount": "Conta Corrente", "LegalCheckingAccount": "Conta Corrente",
                   "NaturalSavingsAccount": "Conta Poupança", "LegalSavingsAccount": "Conta Poupança"}
STATUS_NAMES = {0: "Draft", 1: "ComplianceApproval", 2: "SignaturesCollection", 3: "Liquidation",
                8: "CreditApproval", 12: "SignaturesValidation", 13: "PaymentRevision",
                14: "ManualLiquidation"}
STATUS_PT = {0: "Rascunho", 1: "Aprovação de Compliance", 2: "Coleta de Assinaturas", 3: "Liquidação",
             8: "Aprovação de Crédito", 12: "Validação de Assinaturas", 13: "Revisão de Pagamento",
             14: "Liquidação Manual"}
ECCOR_OPS = ("createNaturalPerson", "getNaturalPerson", "listNaturalPersons", "updateNaturalPerson",
             "addBankAccounts", "updateBankAccount", "deleteBankAccount", "createCreditNote",
             "submitCreditNoteApproval", "donePaymentRevision")
PERSON_INPUT_FIELDS = ("registrationNumber", "civilStatus", "birthDate", "nationality", "email", "phone",
                       "name", "occupation")


def record_not_found(resource_id, permission, resource):
    return MockError(403, {
        "code": "RECORD_NOT_EXISTS_OR_MISSING_PERMISSION",
        "message": "Acesso negado. Registro não existe ou você não possui o nível de "
                   "permissão necessário para acessá-lo",
        "details": {"resourceId": resource_id, "permissionType": permission, "resource": resource},
        "correlationId": correlation_id(),
    })


def status_error(status, message):
    return MockError(400, {
        "code": "INVALID_ACTION_FOR_STATUS",
        "message": message,
        "details": {"currentStatus": STATUS_NAMES.get(status, str(status))},
        "correlationId": correlation_id()})


@register("eccor")
class EccorState(ApiState):
    """Natural persons, bank accounts and credit notes of one ECCOR-like API."""

    @classmethod
    def recognises(cls, api):
        """A spec without x-pontes-api: eccor that has ECCOR operations."""
        return any(op_id in api.by_id for op_id in ECCOR_OPS)

    def __init__(self, api, server):
        ApiState.__init__(self, api, server)
        self.lock = threading.RLock()
        self.person_template = api.response_example("getNaturalPerson") or {}
        if not isinstance(self.person_template, dict):
            self.person_template = {}
        person_op = api.by_id.get("getNaturalPerson")
        self.person_schema = None
        if person_op:
            _, resp = person_op.success_response()
            for mt, media in (resp.get("content") or {}).items():
                self.person_schema = (self.api.doc.deref(media) or {}).get("schema")
                break
        self.account_templates = {}
        for acc in self.person_template.get("bankAccounts") or []:
            if isinstance(acc, dict):
                self.account_templates.setdefault(acc.get("operationTypeValue"), acc)
        self.reset()

    # -- helpers -------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.persons = {}
            self.deleted_accounts = {}  # account id -> person id
            self.credit_notes = {}
            self.products = set()
            listing = self.api.response_example("listProducts")
            for item in (listing or {}).get("data", []) if isinstance(listing, dict) else []:
                if isinstance(item, dict) and item.get("id"):
                    self.products.add(str(item["id"]).lower())
            if self.person_template.get("id"):
                self.persons[self.person_template["id"].lower()] = copy.deepcopy(self.person_template)
            listing = self.api.response_example("listNaturalPersons")
            for item in (listing or {}).get("data", []) if isinstance(listing, dict) else []:
                if isinstance(item, dict) and item.get("id") and item["id"].lower() not in self.persons:
                    self.persons[item["id"].lower()] = copy.deepcopy(item)
            # credit note of the examples (status 0 = draft)
            cn_id = self.api.response_example("createCreditNote")
            cn_req = self.api.request_example("createCreditNote")
            if isinstance(cn_id, str) and isinstance(cn_req, dict):
                self.credit_notes[cn_id.lower()] = {
                    "id": cn_id, "status": 0, "submitted": False,
                    "personId": str(cn_req.get("personId", "")).lower(),
                    "bankAccountId": str(cn_req.get("bankAccountId", "")).lower(),
                    "request": cn_req, "history": []}

    def _nullable(self, prop):
        """Whether the response schema lets NaturalPerson.<prop> be null."""
        if not self.person_schema:
            return True
        s = resolved_schema(self.api.doc, self.person_schema)
        sub = (s.get("properties") or {}).get(prop)
        if sub is None:
            return True
        return Validator(self.api.doc, "response").is_valid(None, sub)

    def _account(self, given, account_id=None, existing=None):
        if not isinstance(given, dict):
            given = {}
        op_type = given.get("operationTypeValue") or "Transfer"
        tmpl = self.account_templates.get(op_type) or next(iter(self.account_templates.values()), {})
        acc = copy.deepcopy(existing) if existing else copy.deepcopy(tmpl)
        stamp = now_local()
        if existing is None:
            acc["id"] = account_id or str(uuid.uuid4())
            acc["createdAt"] = stamp
        acc["updatedAt"] = stamp
        acc["operationTypeValue"] = op_type
        if op_type == "Pix":
            for k, v in (("bankCode", "0"), ("bankCodeCompe", 0), ("bankCodeDisplay", None),
                         ("bankIspb", None), ("account", None), ("accountDigit", None),
                         ("agency", None), ("agencyDigit", None), ("type", None), ("typeDisplay", None)):
                if k in acc or k in tmpl:
                    acc[k] = v
            acc["pixKeyTypeValue"] = given.get("pixKeyTypeValue")
            acc["keyPix"] = given.get("keyPix")
        else:
            bank = given.get("bankCode")
            acc["bankCode"] = None if bank is None else str(bank)
            if "bankCodeCompe" in acc:
                try:
                    acc["bankCodeCompe"] = int(bank)
                except (TypeError, ValueError):
                    acc["bankCodeCompe"] = 0
            if "bankCodeDisplay" in acc and existing is None and bank != tmpl.get("bankCode"):
                acc["bankCodeDisplay"] = None
            acc["account"] = None if given.get("account") is None else str(given.get("account"))
            acc["accountDigit"] = given.get("accountDigit")
            acc["agency"] = given.get("agency")
            acc["type"] = given.get("type")
            if "typeDisplay" in acc or "typeDisplay" in tmpl:
                acc["typeDisplay"] = ACCOUNT_TYPE_PT.get(given.get("type"))
            if "pixKeyTypeValue" in acc:
                acc["pixKeyTypeValue"] = None
            if "keyPix" in acc:
                acc["keyPix"] = None
        if "jointAccount" in given or "jointAccount" in acc:
            acc["jointAccount"] = bool(given.get("jointAccount", False))
        return acc

    def _apply_person(self, person, body, creating):
        for f in PERSON_INPUT_FIELDS:
            if f in body:
                person[f] = body[f]
            elif creating and f in person and self._nullable(f):
                person[f] = None
        if "civilStatus" in person and ("civilStatusDisplay" in person or "civilStatusDisplay" in body):
            person["civilStatusDisplay"] = CIVIL_STATUS_PT.get(person.get("civilStatus"))
        if "address" in body:
            addr = body["address"]
            if isinstance(addr, dict):
                base = person.get("address") if isinstance(person.get("address"), dict) else \
                    copy.deepcopy(self.person_template.get("address") or {})
                base = dict(base)
                for k in list(base):
                    if k not in addr and k != "ufDisplay":
                        base[k] = None
                base.update(addr)
                if "ufDisplay" in base and addr.get("uf") != (self.person_template.get("address") or {}).get("uf"):
                    base["ufDisplay"] = None
                person["address"] = base
            else:
                person["address"] = None
        elif creating and self._nullable("address"):
            person["address"] = None
        person["updatedAt"] = now_local()

    def _errors_for_accounts(self, accounts, prefix):
        errs = []
        for i, acc in enumerate(accounts):
            if not isinstance(acc, dict):
                continue
            key = "%s[%d]" % (prefix, i) if prefix is not None else None
            if acc.get("operationTypeValue", "Transfer") == "Transfer" and not acc.get("type"):
                errs.append(((key + ".type") if key else "type",
                             "Requerido para tipo de Operação 'Transferência'"))
        return errs

    def person(self, pid, permission="Read"):
        p = self.persons.get(pid.lower())
        if p is None:
            raise record_not_found(pid, permission, "NaturalPerson")
        return p

    def find_account(self, person, aid):
        for acc in person.get("bankAccounts") or []:
            if isinstance(acc, dict) and str(acc.get("id", "")).lower() == aid.lower():
                return acc
        return None

    # -- operations ------------------------------------------------------------
    BODY_TYPES = {"addBankAccounts": list}

    def handle(self, op_id, request):
        if op_id not in ECCOR_OPS:
            return None
        _, value = self.run(op_id, request.params, request.body)
        return Answer(value)

    def run(self, op_id, params, body):
        expected = self.BODY_TYPES.get(op_id, dict)
        if not isinstance(body, expected):
            if body is None and expected is dict:
                body = {}
            else:
                raise form_error([("body", "expected a JSON %s" % ("array" if expected is list else "object"))])
        with self.lock:
            return getattr(self, "op_" + op_id)(params, body)

    def op_createNaturalPerson(self, params, body):
        errs = self._errors_for_accounts(body.get("bankAccounts") or [], "bankAccounts")
        if errs:
            raise form_error(errs)
        pid = str(uuid.uuid4())
        person = copy.deepcopy(self.person_template)
        self._apply_person(person, body, creating=True)
        stamp = now_local()
        person["id"] = pid
        person["createdAt"] = stamp
        person["updatedAt"] = stamp
        if "updatedBy" in person:
            person["updatedBy"] = None
        person["bankAccounts"] = [self._account(a) for a in body.get("bankAccounts") or []]
        self.persons[pid] = person
        self.server.check_response_shape("getNaturalPerson", person)
        return None, pid

    def op_getNaturalPerson(self, params, body):
        return None, copy.deepcopy(self.person(params["personId"]))

    def op_listNaturalPersons(self, params, body):
        def ci(x):
            return (x or "").casefold() if isinstance(x, str) else ""
        out = []
        for p in self.persons.values():
            rn = params.get("registrationNumber")
            if rn and p.get("registrationNumber") != rn:
                continue
            ph = params.get("phone")
            if ph and p.get("phone") != ph:
                continue
            disp = params.get("personDisplay")
            if disp and ci(disp) not in ci(p.get("name")):
                continue
            ss = params.get("searchString")
            if ss and not any(ci(ss) in ci(p.get(k)) for k in ("name", "registrationNumber", "email", "phone")):
                continue
            out.append(copy.deepcopy(p))
        env = self.api.response_example("listNaturalPersons")
        if not isinstance(env, dict):
            env = {"page": 0, "totalPages": 1, "totalItems": 0, "data": [], "paginationToken": None}
        env["page"] = 0
        env["totalPages"] = 1 if out else 0
        env["totalItems"] = len(out)
        env["data"] = out
        if "paginationToken" in env:
            env["paginationToken"] = None
        return None, env

    def op_updateNaturalPerson(self, params, body):
        person = self.person(params["personId"], "Update")
        errs = self._errors_for_accounts(body.get("bankAccounts") or [], "bankAccounts")
        if errs:
            raise form_error(errs)
        self._apply_person(person, body, creating=False)
        if "bankAccounts" in body:
            old = {str(a.get("id", "")).lower(): a for a in person.get("bankAccounts") or []}
            new = []
            for given in body.get("bankAccounts") or []:
                gid = str(given.get("id") or "").lower()
                if gid and gid in old:
                    new.append(self._account(given, existing=old.pop(gid)))
                else:
                    new.append(self._account(given))
            for aid in old:
                self.deleted_accounts[aid] = person["id"].lower()
            person["bankAccounts"] = new
        return None, None

    def op_addBankAccounts(self, params, body):
        person = self.person(params["personId"], "Update")
        errs = self._errors_for_accounts(body, "")
        if errs:
            raise form_error(errs)
        ids = []
        for given in body:
            acc = self._account(given)
            person.setdefault("bankAccounts", []).append(acc)
            ids.append(acc["id"])
        return None, ids

    def op_updateBankAccount(self, params, body):
        person = self.person(params["personId"], "Update")
        acc = self.find_account(person, params["bankAccountId"])
        if acc is None:
            raise record_not_found(params["bankAccountId"], "Update", "BankAccount")
        errs = self._errors_for_accounts([body], None)
        if errs:
            raise form_error(errs)
        updated = self._account(body, existing=acc)
        acc.clear()
        acc.update(updated)
        return None, None

    def op_deleteBankAccount(self, params, body):
        person = self.person(params["personId"], "Delete")
        acc = self.find_account(person, params["bankAccountId"])
        if acc is None:
            raise record_not_found(params["bankAccountId"], "Delete", "BankAccount")
        person["bankAccounts"] = [a for a in person["bankAccounts"] if a is not acc]
        self.deleted_accounts[params["bankAccountId"].lower()] = person["id"].lower()
        return None, None

    def op_createCreditNote(self, params, body):
        errs = []
        product = str(body.get("productId", "")).lower()
        if self.products and product not in self.products:
            errs.append(("productId", "Produto não encontrado"))
        pid = str(body.get("personId", "")).lower()
        person = self.persons.get(pid)
        if person is None:
            errs.append(("personId", "Pessoa não encontrada"))
        bid = str(body.get("beneficiaryId", "") or "").lower()
        if bid and bid not in self.persons:
            errs.append(("beneficiaryId", "Beneficiário não encontrado"))
        aid = str(body.get("bankAccountId", "")).lower()
        if person is not None and self.find_account(person, aid) is None:
            errs.append(("bankAccountId", "Conta bancária não encontrada para a pessoa informada"))
        if errs:
            raise form_error(errs)
        cid = str(uuid.uuid4())
        self.credit_notes[cid] = {"id": cid, "status": 0, "submitted": False, "personId": pid,
                                  "bankAccountId": aid, "request": body, "history": []}
        return None, cid

    def credit_note(self, cid, permission):
        cn = self.credit_notes.get(cid.lower())
        if cn is None:
            raise record_not_found(cid, permission, "CreditNote")
        return cn

    def op_submitCreditNoteApproval(self, params, body):
        cn = self.credit_note(params["creditNoteId"], "SubmitApproval")
        person = self.persons.get(cn["personId"])
        if person is None or self.find_account(person, cn["bankAccountId"]) is None:
            raise MockError(400, {
                "code": "RECORD_IS_DELETED",
                "message": "A conta bancária selecionada foi excluída. Selecione outra conta para prosseguir.",
                "details": {"recordId": cn["bankAccountId"]},
                "correlationId": correlation_id()})
        if cn["status"] != 0:
            raise status_error(cn["status"], "Ação permitida apenas para operações em 'Rascunho'")
        cn["submitted"] = True
        return None, None

    def op_donePaymentRevision(self, params, body):
        cn = self.credit_note(params["creditNoteId"], "LiquidationPaymentRevision")
        if cn["status"] != 13:
            raise status_error(cn["status"], "Ação permitida apenas para operações em 'Revisão de Pagamento'")
        cn["paymentRevision"] = body.get("bankAccount")
        cn["history"].append([13, 3])
        cn["status"] = 3
        return None, None

    # -- webhooks ----------------------------------------------------------------
    def webhook_events(self, cid, transitions):
        hook = ((self.api.data.get("webhooks") or {}).get("creditNoteStatusChanged") or {})
        hook = self.api.doc.deref(hook)
        examples = []
        schema = None
        for method in HTTP_METHODS:
            op = hook.get(method)
            if isinstance(op, dict) and op.get("requestBody"):
                rb = self.api.doc.deref(op["requestBody"])
                for mt, media in (rb.get("content") or {}).items():
                    examples = self.api.all_examples(media)
                    schema = (self.api.doc.deref(media) or {}).get("schema")
                    break
                break
        if not examples:
            raise MockError(400, {"error": "the spec has no webhooks.creditNoteStatusChanged examples"})
        names = dict(STATUS_PT)
        for ex in examples:
            p = ex.get("parameters") if isinstance(ex, dict) else None
            if isinstance(p, dict):
                for k in ("old", "new"):
                    if isinstance(p.get(k + "Status"), int) and p.get(k + "StatusDisplay"):
                        names[p[k + "Status"]] = p[k + "StatusDisplay"]
        if transitions in (None, "all"):
            events = examples
        else:
            events = []
            for pair in transitions:
                old, new = int(pair[0]), int(pair[1])
                ev = next((e for e in examples if (e.get("parameters") or {}).get("oldStatus") == old
                           and (e.get("parameters") or {}).get("newStatus") == new), None)
                if ev is None:
                    ev = copy.deepcopy(next((e for e in examples
                                             if (e.get("parameters") or {}).get("newStatus") == new),
                                            examples[0]))
                    p = ev.setdefault("parameters", {})
                    p.update({"oldStatus": old, "oldStatusDisplay": names.get(old, str(old)),
                              "newStatus": new, "newStatusDisplay": names.get(new, str(new))})
                events.append(copy.deepcopy(ev))
        out = []
        for ev in events:
            ev = copy.deepcopy(ev)
            if isinstance(ev, dict):
                ev["id"] = cid
            out.append(ev)
        return out, schema

    # -- admin -------------------------------------------------------------------
    def dump(self):
        with self.lock:
            return {"persons": self.persons, "creditNotes": self.credit_notes,
                    "deletedAccounts": self.deleted_accounts, "products": sorted(self.products)}

    def find_credit_note(self, cid):
        cn = self.credit_notes.get(cid.lower())
        if cn is None:
            raise MockError(404, {"error": "not_found", "message": "unknown credit note %s" % cid})
        return cn

    def admin(self, method, path, body):
        mm = re.match(r"^/__admin/credit-notes/([^/]+)/status$", path)
        if mm and method == "POST":
            req = admin_json(body)
            cn = self.find_credit_note(mm.group(1))
            with self.lock:
                cn["history"].append([cn["status"], int(req.get("status"))])
                cn["status"] = int(req.get("status"))
            return Answer({"id": cn["id"], "status": cn["status"]}, 200)
        mm = re.match(r"^/__admin/webhooks/([^/]+)$", path)
        if mm and method == "POST":
            return self.deliver_webhooks(urllib.parse.unquote(mm.group(1)), admin_json(body))
        return None

    def deliver_webhooks(self, cid, req):
        url = req.get("url")
        webhooks.check_url(url)
        transitions = req.get("transitions", "all")
        if transitions != "all" and not (isinstance(transitions, list) and all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, int) for x in p)
                for p in transitions)):
            raise MockError(400, {"error": "bad_request",
                                  "message": "'transitions' must be \"all\" or a list of [old, new] integers"})
        cn = self.find_credit_note(cid)
        events, schema = self.webhook_events(cn["id"], transitions)
        statuses = []
        errors = []
        delivered = 0
        for ev in events:
            code, error = webhooks.post(self.server, self.api, url, ev, schema)
            if error is not None:
                errors.append(error)
            statuses.append(code)
            if code is not None and 200 <= code < 300:
                delivered += 1
            p = ev.get("parameters") if isinstance(ev, dict) else None
            if isinstance(p, dict) and isinstance(p.get("newStatus"), int):
                with self.lock:
                    cn["history"].append([cn["status"], p["newStatus"]])
                    cn["status"] = p["newStatus"]
        out = {"delivered": delivered, "statuses": statuses, "creditNoteStatus": cn["status"]}
        if errors:
            out["errors"] = errors
        return Answer(out, 200)
