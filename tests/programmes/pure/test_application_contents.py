"""What an application holds, as programme data (issue 19): the form's typed fields and the required materials."""

from __future__ import annotations

import pytest

from app.domain.programmes.registry import ProgrammeDefinitionError, load_registry
from tests.programmes.pure.test_programme_loading import renamed, tianning_data, write

CLAUSES = {
    "changning": "changning-20a",
    "jinshan": "jinshan-18a",
    "hangzhou": "hangzhou-3.3.1",
    "linyi": "linyi-14b",
    "tianning": "tianning-12b",
}


def test_every_programme_names_its_form_and_materials_with_the_application_clause(registry):
    for code, clause in CLAUSES.items():
        version = registry.get(code)
        assert version.application is not None and version.application_clause == clause, code
        assert version.application.form.clause == clause
        assert {m.clause for m in version.application.materials} == {clause}, code
        assert {"application_form", "evidence"} <= {m.kind for m in version.application.materials}, code
        required = {f.key for f in version.application.form.fields if f.required}
        assert {"contact_name", "contact_phone"} <= required, code


def test_hangzhou_materials_are_the_services_reading_not_the_text__hangzhou_3_3_1(registry):
    contents = registry.get("hangzhou").application
    assert not contents.form.stated and all(not m.stated for m in contents.materials)
    assert "self_evaluation_report" not in {m.kind for m in contents.materials}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda f: f.update(type="choice", lookup=None), "a choice field lists its choices or names a lookup"),
        (lambda f: f.update(lookup="nowhere"), "lookup"),
        (lambda f: f.update(min=10, max=1), "min is above max"),
        (lambda f: f.update(categories=["nobody"]), "unknown code 'nobody'"),
    ],
)
def test_a_malformed_form_field_is_refused_naming_it(tmp_path, change, problem):
    data = renamed(tianning_data(), "tianning3")
    field = data["versions"][0]["application"]["form"]["fields"][2]
    change(field)
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning3", data)])
    assert "application" in str(exc.value) and problem in str(exc.value)
