"""The procedure guide: what citizens read and editors keep right.

A guide describes one administrative procedure. Facts that do not depend on the
reader's language (code, domain, agency, legal basis, links) sit on `Guide`; the
text a citizen reads sits in one `GuideContent` per language (``vi`` always,
``en`` where written).

Guides are written as YAML files in ``data/guides/`` (see ``load_guide_file``)
or imported from the national procedure database (``knowledge.tthc``)::

    guide = load_guide_file(Path("data/guides/1.004222-dang-ky-thuong-tru.yaml"))
    guide.content_for("en").title   # "Permanent residence registration"
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

ChannelKind = Literal["online", "in_person", "post"]
GuideStatus = Literal["draft", "in_review", "published", "archived"]
LANGUAGES = ("vi", "en")
CHANNEL_KINDS: tuple[ChannelKind, ...] = ("online", "in_person", "post")


class GuideError(ValueError):
    """A guide file or record that cannot be turned into a `Guide`."""


@dataclass(frozen=True)
class Channel:
    """One way to submit: online, in person or by post, with its time and fee."""

    kind: ChannelKind
    time: str = ""
    fee: str = ""
    note: str = ""


@dataclass(frozen=True)
class DocumentCase:
    """The documents required in one case ("for your own home", "for a rented home")."""

    case: str
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LegalRef:
    number: str
    title: str = ""


@dataclass(frozen=True)
class GuideContent:
    """Everything a citizen reads about a procedure, in one language."""

    title: str
    summary: str = ""
    aliases: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    who: str = ""
    steps: list[str] = field(default_factory=list)
    documents: list[DocumentCase] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    where: str = ""
    conditions: str = ""
    result: str = ""


@dataclass(frozen=True)
class Guide:
    code: str
    content: dict[str, GuideContent]
    domain: str = ""
    level: str = ""
    agency: str = ""
    legal_basis: list[LegalRef] = field(default_factory=list)
    online_url: str = ""
    source_url: str = ""
    updated_at: dt.date | None = None
    status: GuideStatus = "published"
    origin: Literal["curated", "tthc"] = "curated"

    @property
    def title(self) -> str:
        return self.content_for("vi").title

    @property
    def languages(self) -> list[str]:
        return [lang for lang in LANGUAGES if lang in self.content]

    def content_for(self, lang: str) -> GuideContent:
        """The content in `lang`, falling back to Vietnamese, which every guide has."""
        return self.content.get(lang) or self.content["vi"]

    def fingerprint(self) -> str:
        """A stable hash of the guide's facts: equal guides, equal fingerprints."""
        payload = json.dumps(guide_to_dict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def guide_to_dict(guide: Guide) -> dict[str, Any]:
    """A JSON- and YAML-ready dict; `guide_from_dict` reads it back."""
    data = dataclasses.asdict(guide)
    data["updated_at"] = guide.updated_at.isoformat() if guide.updated_at else None
    content = data.pop("content")
    for lang in LANGUAGES:
        if lang in content:
            data[lang] = content[lang]
    return data


def guide_from_dict(data: dict[str, Any]) -> Guide:
    """Build a guide from its YAML/JSON form, raising `GuideError` naming what is wrong."""
    code = str(data.get("code") or "").strip()
    if not code:
        raise GuideError("guide has no code")
    if "vi" not in data:
        raise GuideError(f"guide {code} has no Vietnamese content ('vi')")
    content = {lang: _content_from_dict(code, lang, data[lang]) for lang in LANGUAGES if data.get(lang)}
    updated = data.get("updated_at")
    if isinstance(updated, str):
        updated = dt.date.fromisoformat(updated)
    return Guide(
        code=code,
        content=content,
        domain=str(data.get("domain") or ""),
        level=str(data.get("level") or ""),
        agency=str(data.get("agency") or ""),
        legal_basis=[LegalRef(number=str(r.get("number", "")), title=str(r.get("title", ""))) for r in data.get("legal_basis") or []],
        online_url=str(data.get("online_url") or ""),
        source_url=str(data.get("source_url") or ""),
        updated_at=updated,
        status=data.get("status") or "published",
        origin=data.get("origin") or "curated",
    )


def _content_from_dict(code: str, lang: str, data: dict[str, Any]) -> GuideContent:
    title = str(data.get("title") or "").strip()
    if not title:
        raise GuideError(f"guide {code} ({lang}) has no title")
    channels = []
    for row in data.get("channels") or []:
        kind = row.get("kind")
        if kind not in CHANNEL_KINDS:
            raise GuideError(f"guide {code} ({lang}): channel kind {kind!r} is not one of {', '.join(CHANNEL_KINDS)}")
        channels.append(Channel(kind=kind, time=str(row.get("time") or ""), fee=str(row.get("fee") or ""), note=str(row.get("note") or "")))
    return GuideContent(
        title=title,
        summary=str(data.get("summary") or ""),
        aliases=[str(a) for a in data.get("aliases") or []],
        questions=[str(q) for q in data.get("questions") or []],
        who=str(data.get("who") or ""),
        steps=[str(s) for s in data.get("steps") or []],
        documents=[
            DocumentCase(case=str(d.get("case") or ""), items=[str(i) for i in d.get("items") or []]) for d in data.get("documents") or []
        ],
        channels=channels,
        where=str(data.get("where") or ""),
        conditions=str(data.get("conditions") or ""),
        result=str(data.get("result") or ""),
    )


def load_guide_file(path: Path) -> Guide:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GuideError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise GuideError(f"{path.name}: expected a mapping at the top level")
    return guide_from_dict(data)


def load_guide_dir(directory: Path) -> list[Guide]:
    """Every ``*.yaml`` guide in `directory`, sorted by file name."""
    return [load_guide_file(path) for path in sorted(directory.glob("*.yaml"))]
