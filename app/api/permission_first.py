"""The route's declared permission decided before anything reads the request body.

FastAPI parses a JSON body before it resolves dependencies, and the unstorable-text check reads
the body first of all, so an anonymous caller sending a malformed body learnt 422 (the body was
judged) where the route should have answered 401 (who are you?). The permission only reads the
``Authorization`` header: deciding it first costs nothing and answers every caller in the same
order: 401 (no or a bad token), 403 (a role the route does not take), then the body.
"""

from __future__ import annotations

from fastapi.routing import APIRoute

from app.api.deps import Permission, permission_of


def permission_first(route: APIRoute) -> Permission | None:
    """The route's declared ``Permission`` to run before the body is read; None for a public route."""
    permission = permission_of(route)
    return None if permission is None or permission.public else permission
