"""Making a draft complete before ``submit`` (issue 19): the form's required fields and the required materials.

The shared drivers call ``complete_application`` before they submit, so tests about other things
submit applications the completeness guard accepts; tests of the guard itself do not call it.
"""

from __future__ import annotations

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"c" * 500


def sample(field: dict, lookups: dict[str, list[str]]) -> object:
    """A value the field accepts (its lower bound, its first choice...)."""
    match field["type"]:
        case "text":
            return "示例"
        case "integer":
            return int(field["min"]) if field.get("min") is not None else 1
        case "decimal":
            return str(field["min"]) if field.get("min") is not None else "1"
        case "date":
            return "2020-01-01"
        case "phone":
            return "021-12345678"
        case "boolean":
            return True
        case "choice":
            return (field.get("choices") or lookups[field["lookup"]])[0]
    raise AssertionError(field)


async def complete_application(client, headers: dict, app_id: str) -> None:
    r = await client.get(f"/api/v1/applications/{app_id}/completeness", headers=headers)
    if r.status_code != 200:
        return  # the caller cannot see it: the test is about that refusal
    body = r.json()
    if body["complete"]:
        return
    pieces = {m["piece"] for m in body["missing"]}
    if any(p == "form" or p.startswith("form.") for p in pieces):
        lookups: dict[str, list[str]] = {}
        for f in body["form"]["fields"]:
            if f.get("lookup") and f["lookup"] not in lookups:
                got = await client.get(f"/api/v1/lookups/{f['lookup']}")
                lookups[f["lookup"]] = [v["code"] for v in got.json()]
        current = await client.get(f"/api/v1/applications/{app_id}/form", headers=headers)
        form = current.json() if current.status_code == 200 else {"fields": {}}
        fields = dict(form.get("fields") or {})
        for f in body["form"]["fields"]:
            if f["required"] and fields.get(f["key"]) in (None, ""):
                fields[f["key"]] = sample(f, lookups)
        put = {"fields": fields}
        for extra in ("self_assessment_score", "statements"):
            if form.get(extra) is not None:
                put[extra] = form[extra]
        h = {**headers, "If-Match": current.headers["etag"]} if current.status_code == 200 else headers
        r = await client.put(f"/api/v1/applications/{app_id}/form", json=put, headers=h)
        assert r.status_code == 200, r.text
    for piece in sorted(pieces):
        if piece.startswith("materials."):
            kind = piece.split(".", 1)[1]
            r = await client.post(
                f"/api/v1/applications/{app_id}/materials?kind={kind}&filename={kind}.pdf", content=PDF, headers=headers
            )
            assert r.status_code == 201, r.text
