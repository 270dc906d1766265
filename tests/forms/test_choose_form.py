"""Which form the citizen asked for: a button's entity, a keyword (with or without diacritics), the procedure discussed."""

from __future__ import annotations

import pytest

from actions.forms import choose_form


@pytest.mark.parametrize(
    ("text", "entity", "procedure", "expected"),
    [
        ('/start_form{"form_code":"LLTP-03"}', "LLTP-03", None, "LLTP-03"),
        ("giúp tôi điền tờ khai CT01", None, None, "CT01"),
        ("dien to khai de nghi cap ho chieu", None, None, "TK01-HC"),
        ("fill in a birth registration declaration", None, None, "KHAI-SINH"),
        ("điền tờ khai giúp tôi", None, "1.004222", "CT01"),
        ("điền tờ khai giúp tôi", None, None, None),
        ("fill in a form", "NOPE", "9.999999", None),
    ],
)
def test_choose_form(flow, text: str, entity: str | None, procedure: str | None, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    assert choose_form(flow.templates, text, entity, procedure) == expected
