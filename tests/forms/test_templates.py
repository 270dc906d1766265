"""The form templates load, CT01 agrees with the shared schema, identity attributes exist."""

from __future__ import annotations

import json

import pytest
import yaml

from api.forms.flow import identity_values, profile_value
from api.forms.templates import TemplateError, load_template, load_templates
from tests.conftest import ROOT, SHARED, require_shared

TEMPLATES = load_templates(ROOT / "data" / "forms")
CITIZENS = yaml.safe_load((ROOT / "data" / "demo" / "citizens.yaml").read_text(encoding="utf-8"))


def test_the_four_forms_load() -> None:
    assert set(TEMPLATES) == {"CT01", "KHAI-SINH", "TK01-HC", "LLTP-03"}


@pytest.mark.shared
def test_ct01_follows_the_shared_schema() -> None:
    shared = json.loads(require_shared(SHARED / "data" / "forms" / "ct01-template.json").read_text(encoding="utf-8"))
    ct01 = TEMPLATES["CT01"]
    assert [f["id"] for f in shared["fields"]] == [f.id for f in ct01.fields]
    for spec in shared["fields"]:
        field = ct01.field(spec["id"])
        assert field.label["vi"] == spec["label"] or spec["id"] == "co_quan_tiep_nhan" and field.label["vi"] == "Kính gửi"
        if spec["type"] == "select":
            assert list(field.options) == spec["options"]
        if spec["type"] == "table":
            assert [c.id for c in field.columns] == [c["id"] for c in spec["columns"]]
    assert ct01.title["vi"].upper() == shared["form_title"]


def test_identity_attributes_exist_in_the_demo_profiles() -> None:
    attributes = {f.identity for t in TEMPLATES.values() for f in t.fields if f.identity}
    profile = CITIZENS[0]["profile"]
    assert all(profile_value(profile, a) is not None for a in attributes), attributes
    assert len(identity_values(TEMPLATES["CT01"], profile)) == 10


def test_a_bad_template_is_refused_with_its_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: X\ntitle: {vi: X}\nfields:\n  - {id: a, label: {vi: A}, type: colour}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="bad.yaml.*colour"):
        load_template(bad)
