"""A printable PDF of an application draft (fpdf2, DejaVu Sans for the Vietnamese diacritics).

The font comes from Debian's `fonts-dejavu-core` (`apt-get install fonts-dejavu-core`);
`HELPDESK_PDF_FONT_DIR` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from api.forms.templates import FormTemplate
from db.identity import ApplicationDraft

FONT_DIR = Path(os.environ.get("HELPDESK_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
IDENTITY_MARK = "(*)"


class FontMissing(RuntimeError):
    pass


def _font_files() -> tuple[Path, Path]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.exists() or not bold.exists():
        raise FontMissing(f"{regular} not found: apt-get install fonts-dejavu-core, or set HELPDESK_PDF_FONT_DIR")
    return regular, bold


def render_pdf(draft: ApplicationDraft, template: FormTemplate) -> bytes:
    regular, bold = _font_files()
    pdf = FPDF(format="A4")
    pdf.set_title(template.title["vi"])
    pdf.set_creator("Cổng Dịch vụ công — Trợ lý ảo")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(width, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(width, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 7, template.title["vi"].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, f"Mẫu {template.code} · Hồ sơ nháp {draft.id[:8]} · lập ngày {draft.created_at:%d/%m/%Y}", align="C",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(4)

    for entry in draft.values:
        field = template.field(entry["field"])
        mark = f" {IDENTITY_MARK}" if entry["source"] == "identity" else ""
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 6, f"{field.label['vi']}{mark}:", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        if field.type == "table":
            with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
                table.row([c.label["vi"] for c in field.columns])
                for row in entry["value"]:
                    table.row([str(row.get(c.id, "")) for c in field.columns])
        else:
            pdf.multi_cell(width, 6, str(entry["value"]), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(width, 4, f"{IDENTITY_MARK} Thông tin lấy từ tài khoản định danh điện tử, với sự đồng ý của người kê khai.",
                   new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(width, 6, "NGƯỜI KÊ KHAI", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, "(Ký, ghi rõ họ tên)", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
