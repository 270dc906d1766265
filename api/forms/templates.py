"""Form templates: plain dataclasses loaded from `data/forms/*.yaml`.

templates = load_templates(Path("data/forms"))
ct01 = templates["CT01"]
[f.id for f in ct01.asked_fields()]   # what the chat may ask, in order
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FIELD_TYPES = ("text", "long_text", "date", "choice", "personal_id", "phone", "email", "number", "table")


class TemplateError(ValueError):
    """A template file that does not follow the format (named with its path)."""


@dataclass(frozen=True)
class Field:
    id: str
    label: dict[str, str]
    type: str
    required: bool = True
    ask: bool = True
    identity: str | None = None
    options: tuple[str, ...] = ()
    help: dict[str, str] = field(default_factory=dict)
    columns: tuple[Field, ...] = ()
    auto: bool = False
    min: int | None = None
    max: int | None = None

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label["vi"]


@dataclass(frozen=True)
class FormTemplate:
    code: str
    title: dict[str, str]
    fields: tuple[Field, ...]
    procedures: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(f"{self.code} has no field {field_id!r}")

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["vi"]

    def asked_fields(self) -> list[Field]:
        return [f for f in self.fields if f.ask]

    def identity_fields(self) -> list[Field]:
        return [f for f in self.fields if f.identity]


def _field(raw: dict[str, Any], where: str) -> Field:
    try:
        kind = raw["type"]
        if kind not in FIELD_TYPES:
            raise TemplateError(f"{where}: field {raw.get('id')!r} has type {kind!r}; types are {', '.join(FIELD_TYPES)}")
        if kind == "choice" and not raw.get("options"):
            raise TemplateError(f"{where}: choice field {raw['id']!r} lists no options")
        if kind == "table" and not raw.get("columns"):
            raise TemplateError(f"{where}: table field {raw['id']!r} lists no columns")
        required = bool(raw.get("required", True))
        return Field(
            id=raw["id"],
            label=dict(raw["label"]),
            type=kind,
            required=required,
            ask=bool(raw.get("ask", required)),
            identity=raw.get("identity"),
            options=tuple(raw.get("options") or ()),
            help=dict(raw.get("help") or {}),
            columns=tuple(_field(c, f"{where} {raw['id']}") for c in raw.get("columns") or ()),
            auto=bool(raw.get("auto", False)),
            min=raw.get("min"),
            max=raw.get("max"),
        )
    except KeyError as exc:
        raise TemplateError(f"{where}: a field lacks {exc}") from exc


def load_template(path: Path) -> FormTemplate:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        fields = tuple(_field(f, str(path)) for f in raw["fields"])
        template = FormTemplate(
            code=raw["code"],
            title=dict(raw["title"]),
            fields=fields,
            procedures=tuple(raw.get("procedures") or ()),
            keywords=tuple(raw.get("keywords") or ()),
        )
    except KeyError as exc:
        raise TemplateError(f"{path}: lacks {exc}") from exc
    ids = [f.id for f in fields]
    if len(ids) != len(set(ids)):
        raise TemplateError(f"{path}: duplicate field ids")
    return template


def load_templates(directory: Path) -> dict[str, FormTemplate]:
    templates = [load_template(p) for p in sorted(directory.glob("*.yaml"))]
    return {t.code: t for t in templates}
