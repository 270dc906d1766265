"""The PDF keeps Vietnamese diacritics: the text extracted back is the text put in."""

from __future__ import annotations

import datetime as dt
import io

import pypdf

from api.forms.pdf import render_pdf
from db.identity import ApplicationDraft


def test_pdf_text_has_the_diacritics(flow) -> None:  # type: ignore[no-untyped-def]
    template = flow.template("CT01")
    draft = ApplicationDraft(
        id="a" * 32,
        subject="demo",
        form_code="CT01",
        created_at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
        values=[
            {"field": "ho_ten", "label": "Họ, chữ đệm và tên", "value": "H'Hoàng Yến Niê", "source": "identity"},
            {"field": "noi_dung_de_nghi", "label": "Nội dung đề nghị", "value": "Đăng ký thường trú ở Buôn Ma Thuột", "source": "citizen"},
            {
                "field": "thanh_vien_ho_gia_dinh",
                "label": "Thành viên",
                "value": [
                    {
                        "tt": 1,
                        "ho_ten": "Y Khuê Niê",
                        "ngay_sinh": "12/01/1965",
                        "gioi_tinh": "Nam",
                        "so_dinh_danh": "046065000032",
                        "quan_he": "Chủ hộ",
                    }
                ],
                "source": "citizen",
            },
        ],
    )
    pdf = render_pdf(draft, template)
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
        "H'Hoàng Yến Niê",
        "Đăng ký thường trú ở Buôn Ma Thuột",
        "Y Khuê Niê",
        "Chủ hộ",
        "Cộng hòa".upper(),
    ):
        assert expected in text, expected
    fonts = {f["/BaseFont"] for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert all("DejaVu" in str(f) for f in fonts)
