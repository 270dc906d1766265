from pathlib import Path

import pytest

from knowledge.provinces import ProvinceError, default_provinces, describe, load_provinces, where_note

# Resolution 202/2025/QH15: each former province → the unit it belongs to since 1 July 2025.
MERGED = {
    "Hà Giang": "Tuyên Quang",
    "Yên Bái": "Lào Cai",
    "Bắc Kạn": "Thái Nguyên",
    "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ",
    "Bắc Giang": "Bắc Ninh",
    "Thái Bình": "Hưng Yên",
    "Hải Dương": "Hải Phòng",
    "Hà Nam": "Ninh Bình",
    "Nam Định": "Ninh Bình",
    "Quảng Bình": "Quảng Trị",
    "Quảng Nam": "Đà Nẵng",
    "Kon Tum": "Quảng Ngãi",
    "Bình Định": "Gia Lai",
    "Ninh Thuận": "Khánh Hòa",
    "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng",
    "Phú Yên": "Đắk Lắk",
    "Bình Dương": "TP. Hồ Chí Minh",
    "Bà Rịa – Vũng Tàu": "TP. Hồ Chí Minh",
    "Bình Phước": "Đồng Nai",
    "Long An": "Tây Ninh",
    "Sóc Trăng": "Cần Thơ",
    "Hậu Giang": "Cần Thơ",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Tiền Giang": "Đồng Tháp",
    "Bạc Liêu": "Cà Mau",
    "Kiên Giang": "An Giang",
}
UNCHANGED = ["Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng"]


def test_the_34_current_units_and_the_63_former_ones() -> None:
    provinces = default_provinces()
    assert len(provinces) == 34
    assert len({p.name for p in provinces}) == 34
    former = {f.name: p.name for p in provinces for f in p.former}
    assert former == MERGED
    assert {p.name for p in provinces if not p.former} == set(UNCHANGED)
    assert len(provinces) + len(former) == 63


@pytest.mark.parametrize(("former", "current"), sorted(MERGED.items()))
def test_a_former_province_maps_to_the_current_one(former: str, current: str) -> None:
    match = default_provinces().resolve(former)
    assert match is not None and match.province.name == current and match.former == former


@pytest.mark.parametrize(
    ("mention", "current", "former"),
    [
        ("quang nam", "Đà Nẵng", "Quảng Nam"),
        ("QUẢNG NAM", "Đà Nẵng", "Quảng Nam"),
        ("tỉnh Quảng Nam", "Đà Nẵng", "Quảng Nam"),
        ("Hoà Bình", "Phú Thọ", "Hòa Bình"),
        ("Thanh Hoá", "Thanh Hóa", None),
        ("thanh hoa", "Thanh Hóa", None),
        ("Đà Nẵng", "Đà Nẵng", None),
        ("thành phố Đà Nẵng", "Đà Nẵng", None),
        ("HCM", "TP. Hồ Chí Minh", None),
        ("TP.HCM", "TP. Hồ Chí Minh", None),
        ("tp hcm", "TP. Hồ Chí Minh", None),
        ("Sài Gòn", "TP. Hồ Chí Minh", None),
        ("sai gon", "TP. Hồ Chí Minh", None),
        ("Ho Chi Minh City", "TP. Hồ Chí Minh", None),
        ("Vũng Tàu", "TP. Hồ Chí Minh", "Bà Rịa – Vũng Tàu"),
        ("Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh", "Bà Rịa – Vũng Tàu"),
        ("HN", "Hà Nội", None),
        ("Hanoi", "Hà Nội", None),
        ("Thừa Thiên Huế", "Huế", None),
        ("Daklak", "Đắk Lắk", None),
        ("Bắc Cạn", "Thái Nguyên", "Bắc Kạn"),
    ],
)
def test_any_form_resolves(mention: str, current: str, former: str | None) -> None:
    match = default_provinces().resolve(mention)
    assert match is not None
    assert (match.province.name, match.former) == (current, former)


@pytest.mark.parametrize("mention", ["Paris", "", "tỉnh", "Quảng"])
def test_other_places_do_not_resolve(mention: str) -> None:
    assert default_provinces().resolve(mention) is None


def test_a_name_listed_for_two_provinces_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "provinces.yaml"
    path.write_text(
        "provinces:\n  - name: Đà Nẵng\n    former: {Quảng Nam: []}\n  - name: Quảng Ngãi\n    aliases: [Quang Nam]\n", encoding="utf-8"
    )
    with pytest.raises(ProvinceError, match="names both Đà Nẵng and Quảng Ngãi"):
        load_provinces(path)


def test_descriptions_name_the_former_provinces() -> None:
    provinces = default_provinces()
    da_nang, phu_tho, ha_noi = (provinces.resolve(n) for n in ("Đà Nẵng", "Phú Thọ", "Hà Nội"))
    assert da_nang and phu_tho and ha_noi
    assert describe(da_nang, "vi") == "Đà Nẵng (gồm cả Quảng Nam cũ)"
    assert describe(phu_tho, "vi") == "Phú Thọ (gồm cả Vĩnh Phúc, Hòa Bình cũ)"
    assert describe(phu_tho, "en") == "Phú Thọ (including the former Vĩnh Phúc and Hòa Bình)"
    assert describe(ha_noi, "vi") == "Hà Nội"


def test_where_note_says_a_former_province_is_now_part_of_another() -> None:
    quang_nam = default_provinces().resolve("quang nam")
    assert quang_nam
    assert where_note(quang_nam, "vi") == "Lưu ý: Quảng Nam nay thuộc Đà Nẵng (từ 1/7/2025), nên bạn làm tại cơ quan nêu trên ở Đà Nẵng."
    assert "Quảng Nam has been part of Đà Nẵng since 1 July 2025" in where_note(quang_nam, "en")
    da_nang = default_provinces().resolve("Đà Nẵng")
    assert da_nang and where_note(da_nang, "vi") == "Ở Đà Nẵng (gồm cả Quảng Nam cũ), bạn làm tại cơ quan nêu trên."
