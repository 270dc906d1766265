"""ID token claims → the citizen profile the forms use (attribute names in data/forms/*.yaml).

Standard OpenID Connect claims where they exist (name, birthdate, gender, phone_number, email);
VNeID-like custom claims for the rest (personal_id, permanent_address, household, …).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.phones import national, parse_vn_phone

GENDERS = {"male": "Nam", "female": "Nữ", "other": "Khác"}
CUSTOM_CLAIMS = (
    "personal_id",
    "place_of_birth",
    "permanent_address",
    "current_address",
    "ethnicity",
    "religion",
    "nationality",
    "hometown",
    "household",
    "household_members",
    "passport_expiry",  # dd/mm/yyyy: reminders (api/dossiers/reminders.py)
    "temporary_residence_until",
)


def profile_from_claims(claims: dict[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = {k: claims[k] for k in CUSTOM_CLAIMS if claims.get(k) not in (None, "")}
    if claims.get("name"):
        profile["full_name"] = claims["name"]
    if claims.get("birthdate"):
        profile["date_of_birth"] = dt.date.fromisoformat(claims["birthdate"]).strftime("%d/%m/%Y")
    if claims.get("gender") in GENDERS:
        profile["sex"] = GENDERS[claims["gender"]]
    phone = parse_vn_phone(str(claims.get("phone_number") or ""))
    if phone:  # a number the forms would refuse is left for the citizen to type
        profile["phone"] = national(phone)
    if claims.get("email"):
        profile["email"] = claims["email"]
    return profile


def claims_from_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The demo provider's side: a registry profile as OpenID Connect claims (the inverse of the above)."""
    claims: dict[str, Any] = {k: profile[k] for k in CUSTOM_CLAIMS if k in profile}
    claims["name"] = profile["full_name"]
    day, month, year = profile["date_of_birth"].split("/")
    claims["birthdate"] = f"{year}-{month}-{day}"
    claims["gender"] = {v: k for k, v in GENDERS.items()}.get(profile.get("sex", ""), "other")
    if profile.get("phone") and (phone := parse_vn_phone(profile["phone"])):
        claims["phone_number"] = phone
    if profile.get("email"):
        claims["email"] = profile["email"]
    return claims
