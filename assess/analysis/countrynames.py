"""Country names in a table, resolved only when they are exactly a known name, code or alias.

A name is compared after a light normalisation (case, accents, punctuation, "the", "St." for
"Saint", "&" for "and"), never searched for inside longer text: ``Sonora, Mexico``, ``Mexico;
DROP TABLE`` and ``Niger Delta`` are not countries. Known names are ISO 3166-1 (pycountry:
codes, names, common and official names), country_converter's short and official names, and the
spellings of the World Bank and other common sources listed below. A name two countries share
resolves to neither.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from pathlib import Path

# Spellings common in published tables (World Bank, UN, press) that the two lists above lack.
ALIASES = {
    "Korea, Rep.": "KOR", "Korea, Dem. People's Rep.": "PRK", "Korea, Democratic People's Republic of": "PRK",
    "Korea, Republic of": "KOR", "Burma": "MMR", "Ivory Coast": "CIV", "Turkey": "TUR", "Bahamas, The": "BHS",
    "Gambia, The": "GMB", "Iran, Islamic Rep.": "IRN", "Egypt, Arab Rep.": "EGY", "Venezuela, RB": "VEN",
    "Yemen, Rep.": "YEM", "Congo, Dem. Rep.": "COD", "Congo, Rep.": "COG", "Democratic Republic of Congo": "COD",
    "Congo-Kinshasa": "COD", "Congo-Brazzaville": "COG", "Lao PDR": "LAO", "Kyrgyz Republic": "KGZ",
    "Slovak Republic": "SVK", "Micronesia, Fed. Sts.": "FSM", "Hong Kong SAR, China": "HKG", "Macao SAR, China": "MAC",
    "Cape Verde": "CPV", "Swaziland": "SWZ", "East Timor": "TLS", "Macedonia": "MKD", "FYR Macedonia": "MKD",
    "US": "USA", "U.S.": "USA", "U.S.A.": "USA", "UK": "GBR", "U.K.": "GBR", "Great Britain": "GBR", "Britain": "GBR",
    "UAE": "ARE", "Holland": "NLD", "Vatican": "VAT", "Holy See (Vatican City State)": "VAT", "Czech Republic": "CZE",
    "Russia": "RUS", "Vietnam": "VNM", "Syria": "SYR", "Laos": "LAO", "Brunei": "BRN", "Moldova": "MDA",
    "Tanzania": "TZA", "Palestine": "PSE", "West Bank and Gaza": "PSE", "Sao Tome and Principe": "STP",
    "Turkiye": "TUR", "Curacao": "CUW", "Reunion": "REU",
}


def resolve_country(text: str) -> str | None:
    """An ISO 3166-1 alpha-3 code for a code or a known name written exactly (see the module's notes)."""
    import pycountry

    text = text.strip()
    if re.fullmatch(r"[A-Z]{3}", text) and pycountry.countries.get(alpha_3=text) is not None:
        return text
    codes = _known().get(_key(text), set()) if text else set()
    return next(iter(codes)) if len(codes) == 1 else None


def ambiguous(text: str) -> list[str]:
    """The codes a name could stand for when it stands for several (empty otherwise)."""
    codes = _known().get(_key(text), set())
    return sorted(codes) if len(codes) > 1 else []


def country_names() -> list[str]:
    """Every name and ISO3 code a table may use, as written (for did-you-mean: a mistyped code of a
    country with no profile yet, which ``import --create`` would create, is suggested too)."""
    import pycountry

    return sorted({*_names(), *(country.alpha_3 for country in pycountry.countries)})


def _key(name: str) -> str:
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    plain = plain.casefold().replace("&", " and ").replace("\u2019", "'")
    words = re.sub(r"[.,()\-/]", " ", plain).split()
    words = ["saint" if word == "st" else word for word in words if word != "the"]
    return " ".join(words)


@functools.cache
def _names() -> dict[str, str]:
    """Each known name as written, with its code."""
    import pycountry

    names: dict[str, set[str]] = {}

    def add(name: object, code: str) -> None:
        if isinstance(name, str) and name.strip():
            names.setdefault(name.strip(), set()).add(code)

    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            add(getattr(country, attribute, None), country.alpha_3)
    for name, code in _converter_names():
        if pycountry.countries.get(alpha_3=code) is not None:
            add(name, code)
    for name, code in ALIASES.items():
        add(name, code)
    return {name: min(codes) for name, codes in names.items() if len(codes) == 1}


@functools.cache
def _known() -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for name, code in _names().items():
        known.setdefault(_key(name), set()).add(code)
    return known


def _converter_names() -> list[tuple[str, str]]:
    """country_converter's short and official names, read from its data file (without pandas)."""
    import importlib.util

    spec = importlib.util.find_spec("country_converter")  # its module imports pandas; its data file is enough
    if spec is None or spec.origin is None:
        return []
    data = Path(spec.origin).parent / "country_data.tsv"
    try:
        with open(data, encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream, delimiter="\t"))
    except OSError:
        return []
    return [(row[column], row.get("ISO3", "")) for row in rows for column in ("name_short", "name_official")
            if row.get(column)]
