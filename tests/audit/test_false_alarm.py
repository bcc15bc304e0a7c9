"""A refused attempt whose data JSONB normalises (办理记录的数据) never reads as tampering: the digest
is taken over what is stored, in RFC 8785 canonical JSON (hash scheme 2)."""

from __future__ import annotations

import pytest

from app.workflow.commands import audit_verify
from tests.audit.driver import draft_application, send_raw

# event bodies as a client writes them; each one's data comes back from JSONB in another form
BODIES = {
    "exponent_integer": '{"event":"no-such-event","data":{"n":1e16}}',  # the report
    "negative_zero": '{"event":"no-such-event","data":{"z":-0.0}}',  # numeric has no -0
    "minus_zero_integer": '{"event":"no-such-event","data":{"z":-0}}',
    "beyond_i_json": '{"event":"no-such-event","data":{"big":12345678901234567890123,"neg":-9007199254740993}}',
    "safe_edge": '{"event":"no-such-event","data":{"max":9007199254740991,"min":-9007199254740991}}',
    "huge_and_tiny": '{"event":"no-such-event","data":{"inf":1e400,"sub":5e-324,"tiny":1.5e-7,"e":1E+2}}',
    "float_forms": '{"event":"no-such-event","data":{"a":1.0,"b":0.1,"c":2.50,"d":123456789012345678901234567890.5}}',
    "duplicate_keys": '{"event":"no-such-event","data":{"k":1,"k":2,"kk":{"x":1,"x":[3]}}}',
    "key_order": '{"event":"no-such-event","data":{"zzz":1,"a":2,"\\u00e9":3,"\\ud83d\\ude00":4,"\\uff21":5,"":6}}',
    "unicode_text": '{"event":"no-such-event","data":{"s":"\\u2028\\u2029\\u007f\\t\\"\\\\ 中文 \\ud83d\\ude00"}}',
    "nan_words": '{"event":"no-such-event","data":{"s":["NaN","Infinity","-0",NaN,Infinity,-Infinity]}}',
    "nested": '{"event":"no-such-event","data":{"a":[[[{"b":[1e16,-0.0,{"c":null}]}]]],"t":true,"f":false}}',
}


@pytest.mark.parametrize("case", sorted(BODIES))
async def test_a_refused_attempt_with_data_jsonb_normalises_verifies(client, token, app, settings, case, capsys):
    flow, a = await draft_application(client, token, f"fa-{case}")
    r = await send_raw(client, flow, a, BODIES[case])
    assert r.status_code == 409 and r.json()["type"].endswith("/transition-not-allowed"), r.text
    code = await audit_verify(app.state.db)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "ok: 1 application histories verified" in out.out
