"""Who may see and do what (访问权限): every rule once, in the shape of Polar's ``auth.py``.

- ``roles``: what a caller is to a programme, a recommending unit or an applicant account.
- ``applications``: who sees an application and who fires its events, as a predicate for one
  loaded row and as the SQL filter the repository applies to a list.
- ``office``: the records an office keeps for its programme (rounds, units, notices, objections,
  bans) and the applicant registry.

A route declares its permission with one of ``app.api.deps``'s permissions; the object rules
here decide the rest. ``tests/access/matrix.yaml`` lists, for every operation, who may call it.
"""
