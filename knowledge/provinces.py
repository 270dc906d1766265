"""Vietnam's provincial-level units since 1 July 2025, and which one a place name means.

On 1 July 2025 the 63 provinces and centrally-run cities became 34 (Resolution
202/2025/QH15). Citizens still write the former names ("Quảng Nam", "Bình Dương"),
short forms ("HCM", "Sài Gòn"), either tone placement ("Hòa"/"Hoà"), with or without
diacritics; `Provinces.resolve` maps any of them to the unit it now belongs to::

    provinces = default_provinces()          # data/provinces.yaml
    match = provinces.resolve("quang nam")
    match.province.name, match.former        # ("Đà Nẵng", "Quảng Nam")
    where_note(match, "vi")                  # "Lưu ý: Quảng Nam nay thuộc Đà Nẵng (từ 1/7/2025), ..."
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from knowledge.normalize import name_key, nfc

PROVINCES_FILE = Path(__file__).resolve().parents[1] / "data" / "provinces.yaml"

# "tỉnh Quảng Nam", "thành phố Đà Nẵng", "TP Huế", "Quang Nam province": the name is what matters.
_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp) ")
_SUFFIX = re.compile(r" (?:province|city)$")


class ProvinceError(ValueError):
    """A provinces file that cannot be read, or that names one place twice."""


@dataclass(frozen=True)
class FormerProvince:
    """A province or city that existed until 30 June 2025 and was merged into a current one."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Province:
    """A current provincial-level unit, with the former ones merged into it."""

    name: str
    aliases: tuple[str, ...] = ()
    former: tuple[FormerProvince, ...] = ()

    def names(self) -> list[str]:
        """Every way to write it as listed: its name, aliases, former provinces and their aliases."""
        return [self.name, *self.aliases, *(n for f in self.former for n in (f.name, *f.aliases))]


@dataclass(frozen=True)
class ProvinceMatch:
    province: Province
    former: str | None = None  # the former province the mention named, if it named one


class Provinces:
    """The current units, looked up by any of their names."""

    def __init__(self, units: Iterable[Province]) -> None:
        self.units = tuple(units)
        self._by_key: dict[str, ProvinceMatch] = {}
        for province in self.units:
            matches = [(n, ProvinceMatch(province)) for n in (province.name, *province.aliases)]
            matches += [(n, ProvinceMatch(province, f.name)) for f in province.former for n in (f.name, *f.aliases)]
            for name, match in matches:
                known = self._by_key.setdefault(name_key(name), match)
                if known.province != province:
                    raise ProvinceError(f"{name!r} names both {known.province.name} and {province.name}")

    def __iter__(self) -> Iterator[Province]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def resolve(self, mention: str) -> ProvinceMatch | None:
        """The current province a place name means (any listed form, any spelling), or None."""
        key = name_key(mention)
        if key in self._by_key:
            return self._by_key[key]
        return self._by_key.get(_SUFFIX.sub("", _PREFIX.sub("", key)))


def load_provinces(path: Path) -> Provinces:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProvinceError(f"{path.name}: not valid YAML ({exc})") from exc
    units = []
    for row in (data or {}).get("provinces") or []:
        former = tuple(
            FormerProvince(nfc(str(name)), tuple(nfc(str(a)) for a in aliases or ())) for name, aliases in (row.get("former") or {}).items()
        )
        units.append(Province(nfc(str(row["name"])), tuple(nfc(str(a)) for a in row.get("aliases") or ()), former))
    if not units:
        raise ProvinceError(f"{path.name}: no provinces listed under 'provinces'")
    return Provinces(units)


@cache
def default_provinces() -> Provinces:
    """The provinces of `PROVINCES_FILE`, read once per process."""
    return load_provinces(PROVINCES_FILE)


def describe(match: ProvinceMatch, lang: str) -> str:
    """The current province, naming the former ones it includes: "Đà Nẵng (gồm cả Quảng Nam cũ)"."""
    province = match.province
    if not province.former:
        return province.name
    former = [f.name for f in province.former]
    if lang == "en":
        listed = former[0] if len(former) == 1 else ", ".join(former[:-1]) + " and " + former[-1]
        return f"{province.name} (including the former {listed})"
    return f"{province.name} (gồm cả {', '.join(former)} cũ)"


def where_note(match: ProvinceMatch, lang: str) -> str:
    """One sentence after "where to submit", in the citizen's terms: a former province is named as such."""
    name = match.province.name
    if match.former:
        if lang == "en":
            return f"Note: {match.former} has been part of {name} since 1 July 2025, so apply at the office above in {name}."
        return f"Lưu ý: {match.former} nay thuộc {name} (từ 1/7/2025), nên bạn làm tại cơ quan nêu trên ở {name}."
    if lang == "en":
        return f"In {describe(match, lang)}, apply at the office above."
    return f"Ở {describe(match, lang)}, bạn làm tại cơ quan nêu trên."
