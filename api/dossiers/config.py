"""Settings of dossiers (variables ``HELPDESK_DOSSIERS__<NAME>``): the `dossiers` section of `api.settings.Settings`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

DATA = Path(__file__).resolve().parents[2] / "data"


class DossierSettings(BaseModel):
    backoffice: Literal["demo", "http"] = Field(
        default="demo", description="demo: the simulated one-stop office in the app's database (development); http: HttpBackOffice"
    )
    backoffice_url: str = Field(default="", description="base URL of the agency's processing system (backoffice=http)")
    backoffice_token: str = Field(default="", description="bearer token for the processing system (backoffice=http)")
    backoffice_timeout_s: float = Field(default=10.0, gt=0)
    procedures_file: Path = DATA / "dossiers" / "procedures.yaml"
    reminders_file: Path = DATA / "reminders.yaml"
    timezone: str = "Asia/Ho_Chi_Minh"
    holidays_country: str = "VN"
    outbox_interval_s: float = Field(default=10.0, gt=0, description="seconds between two drains of the notification outbox")
    outbox_sender: Literal["demo", "none"] = Field(
        default="demo", description="demo: marks notices sent in the database; none: leaves them for an external sender"
    )
