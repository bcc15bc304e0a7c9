"""A refusal's extra members never overwrite the problem's own (RFC 9457 ``status``, ``type``...):
a closed meeting's refusal carried ``status: "closed"``, which became the HTTP status and answered
500. Found beside the experts' ``expert-not-active`` (issue 17)."""

from __future__ import annotations

from tests.decisions.test_votes import _hangzhou


async def test_a_vote_at_a_closed_meeting_is_a_409_naming_the_meeting_closed(client, token):
    _, c, names, (app,) = await _hangzhou(client, token, 3)
    await c.attend(names)
    await c.hear_all()
    for n in names:
        assert (await c.vote(n, app)).status_code == 201
    r = await c.close()
    assert r.status_code == 200, r.text
    r = await c.vote(names[0], app)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["status"] == 409 and body["type"].endswith("/meeting-closed")
