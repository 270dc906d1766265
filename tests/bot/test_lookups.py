"""The lookup tables generated at build time (bot/lookups.py), matched the way Rasa matches them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from knowledge.guides import load_guide_dir
from knowledge.mentions import names_procedure
from knowledge.provinces import default_provinces

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lookups() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bot_lookups", ROOT / "bot" / "lookups.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rasa_lookup_regex(entries: list[str]) -> re.Pattern[str]:
    """Rasa 3.6's pattern for a lookup table with word boundaries (rasa/nlu/utils/pattern_utils.py), case-insensitive."""
    return re.compile("(\\b" + "\\b|\\b".join(re.escape(e) for e in entries) + "\\b)", re.IGNORECASE)


@pytest.mark.parametrize(
    ("text", "other"),
    [("Thanh Hóa", "Thanh Hoá"), ("Khánh Hoà", "Khánh Hòa"), ("xóa hộ khẩu", "xoá hộ khẩu"), ("thủy", "thuỷ"), ("khỏe", "khoẻ")],
)
def test_the_other_tone_style(lookups: ModuleType, text: str, other: str) -> None:
    assert lookups.other_tone_style(text) == other
    assert lookups.other_tone_style(other) == text


@pytest.mark.parametrize("text", ["quý", "hoàng", "xoài", "chuyện", "của", "Đăng ký"])
def test_words_with_one_tone_style_are_kept(lookups: ModuleType, text: str) -> None:
    assert lookups.other_tone_style(text) == text


def test_entries_are_each_spelling_once_longest_first(lookups: ModuleType) -> None:
    entries = lookups.lookup_entries(["Hòa Bình", "hòa bình", "Đăng ký tạm trú"])
    assert entries == ["dang ky tam tru", "Đăng ký tạm trú", "Hoà Bình", "Hòa Bình", "hoa binh"]


def test_procedure_table_from_the_curated_guides(lookups: ModuleType) -> None:
    entries = lookups.procedure_entries(ROOT / "data" / "guides")
    assert {"Đăng ký tạm trú", "dang ky tam tru", "Temporary residence registration", "xoá hộ khẩu", "Notice of stay"} <= set(entries)
    assert not any("(" in e for e in entries)
    guides = load_guide_dir(ROOT / "data" / "guides")
    unnamed = [e for e in entries if not any(names_procedure(e, g) for g in guides)]
    assert unnamed == []  # the knowledge service recognises every mention the NLU can find


def test_the_longest_name_wins(lookups: ModuleType) -> None:
    pattern = rasa_lookup_regex(lookups.procedure_entries(ROOT / "data" / "guides"))
    assert [m.group(0) for m in pattern.finditer("tôi muốn đăng ký tạm trú nhà trọ")] == ["đăng ký tạm trú nhà trọ"]
    assert [m.group(0) for m in pattern.finditer("LE PHI LAM CAN CUOC CHO CON")] == ["LAM CAN CUOC CHO CON"]


def test_province_table_resolves_entry_by_entry(lookups: ModuleType) -> None:
    entries = lookups.province_entries(ROOT / "data" / "provinces.yaml")
    assert {"Thanh Hóa", "Thanh Hoá", "thanh hoa", "TP.HCM", "Sài Gòn", "sai gon", "Quảng Nam", "quang nam"} <= set(entries)
    provinces = default_provinces()
    assert [e for e in entries if provinces.resolve(e) is None] == []
    pattern = rasa_lookup_regex(entries)
    assert [m.group(0) for m in pattern.finditer("tôi ở tp hcm, quê Bà Rịa - Vũng Tàu")] == ["tp hcm", "Bà Rịa - Vũng Tàu"]


def test_writes_rasa_training_data(lookups: ModuleType, tmp_path: Path) -> None:
    lookups.main(tmp_path)
    data = yaml.safe_load((tmp_path / "lookups.yml").read_text(encoding="utf-8"))
    tables = {block["lookup"]: block["examples"].splitlines() for block in data["nlu"]}
    assert set(tables) == {"procedure", "province"}
    assert all(line.startswith("- ") for lines in tables.values() for line in lines)
    assert "- Đà Nẵng" in tables["province"]
