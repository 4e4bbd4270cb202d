"""JSON text as the mock writes it: like json.dumps(ensure_ascii=False), but a
decimal.Decimal is written with its own digits (Decimal("995.0000") -> 995.0000, where a
float would print 995.0) and a ``Raw`` is inserted as the JSON text it holds.  Amounts that
must keep their scale on the wire (e.g. 4 decimals) are therefore Decimals in a state's
answer.
"""

import decimal
import json


class Raw(str):
    """A piece of JSON text, written verbatim (the caller guarantees it is valid JSON)."""


def _number(d):
    if not d.is_finite():
        raise ValueError("cannot write %s as JSON" % d)
    text = str(d)
    if "E" in text or "e" in text:  # keep the scale, never an exponent
        text = format(d, "f")
    return text


def dumps(value):
    out = []
    _write(value, out)
    return "".join(out)


def _write(v, out):
    if isinstance(v, Raw):
        out.append(str(v))
    elif isinstance(v, decimal.Decimal):
        out.append(_number(v))
    elif isinstance(v, dict):
        out.append("{")
        first = True
        for k, x in v.items():
            if not first:
                out.append(", ")
            first = False
            out.append(json.dumps(str(k), ensure_ascii=False))
            out.append(": ")
            _write(x, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(", ")
            _write(x, out)
        out.append("]")
    else:
        out.append(json.dumps(v, ensure_ascii=False))
