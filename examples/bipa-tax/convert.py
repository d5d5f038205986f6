"""Write country_profiles/ from indicators.csv: the raw ISORA and Doing Business inputs of BIPA 2024's
theme "Tax administration", each dated and sourced. Run from anywhere: python examples/bipa-tax/convert.py

The one step of BIPA's method done here, not in the rules: for each country and metric, BIPA takes the
latest year (2019 or later) in which the metric's derived value is valid (bipa2024_index
1_load_source_data.R), so a metric may come from another year than its neighbours, and an invalid latest
year falls back to an earlier one. The engine reads a fact as of a date, not "the latest year in which an
expression over it is valid", so this script picks the year, with reference.py's copy of the producer's
derivation, and writes each metric's inputs of that year only. Where no year is valid it writes the latest
year's inputs, and the engine's valid_range (or an undefined ratio) gives the metric no value.
"""

import csv
from collections import defaultdict
from pathlib import Path

from reference import derive, valid

HERE = Path(__file__).resolve().parent
SOURCEDATA = "github.com/blavatnik-index/bipa2024_sourcedata at commit 088271d0d6a9 (2024-12-02)"
COPY = "https://github.com/blavatnik-index/bipa2024_sourcedata/blob/088271d0d6a9c1717d925073166fde8a54f0428b/"
ISORA = ("CIAT, IMF, IOTA and OECD, International Survey on Revenue Administration (ISORA) 2018-2021, {form} "
         "(IMF RA-FIT portal, data.rafit.org), the file the Index used: " + COPY
         + "data_raw/ISORA_2021/ISORA_Form_{letter}_2018_to_2021.xlsx")
DOING_BUSINESS = ("World Bank, Doing Business 2020, historical data (column taxestime), "
                  "https://archive.doingbusiness.org/content/dam/misc/doingbusiness/db2020/Historical-data.dta")

# BIPA's source variable -> the raw facts of the rule set it is derived from (rules/facts.yaml)
INPUTS = {
    "isora_admin_costs": ["expenditure_operating", "expenditure_operating_estimate", "netrevenue_total"],
    "isora_fte_turnover": ["fte_departures", "fte_start", "fte_end"],
    "isora_tax_debt": ["arrears_total", "tax_debt_netrevenue_total"],
    "isora_electronic_payments": ["payments_electronic_number_pct", "payments_electronic_value_pct"],
    "isora_digital_contacts": [f"contacts_{c}" for c in ("online_account", "digital_assistance", "telephone", "email",
                                                          "mail", "in_person")],
    "db_taxes_time": ["db_taxes_time_hours"],
}
for kind in ("corporate", "personal"):
    INPUTS[f"isora_filing_{kind}"] = [f"returns_{kind}_ontime", f"returns_{kind}_expected", f"returns_{kind}_ontime_rate_pct"]
    INPUTS[f"isora_payments_{kind}"] = [f"payments_{kind}_ontime", f"payments_{kind}_expected",
                                        f"payments_{kind}_ontime_rate_pct"]
    INPUTS[f"isora_electronic_{kind}"] = [f"returns_{kind}_{c}" for c in ("e_prefill_accepted", "e_prefill_confirm",
                                                                          "e_prefill_partial", "e_not_prefilled", "total")]
RENAMED = {"tax_debt_netrevenue_total": "netrevenue_total"}  # the same ISORA item, of the tax debt ratio's year
NAMES = {"XKK": "Kosovo"}  # a code ISO 3166-1 does not list (the World Bank's and the EU's)


def main() -> None:
    rows = list(csv.DictReader((HERE / "indicators.csv").open(newline="")))
    cells: dict[tuple[str, int], dict[str, dict[str, str]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for row in rows:
        cells[(row["iso3"], int(row["year"]))][row["indicator"]] = row
        names.setdefault(row["iso3"], row["source_country_name"])
    facts = sorted({fact for inputs in INPUTS.values() for fact in inputs})
    out = HERE / "country_profiles"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    for code in sorted(names):
        years = sorted(year for iso, year in cells if iso == code and year >= 2019)
        entries: dict[str, list[str]] = {fact: [] for fact in facts}
        for variable, inputs in INPUTS.items():
            year = _year(cells, code, years, variable, inputs)
            if year is None:
                continue
            for fact in inputs:
                row = cells[(code, year)].get(RENAMED.get(fact, fact))
                if row is not None:
                    entries[fact].append(_entry(row, variable))
        _write(out / f"{code}.yaml", code, names[code], facts, entries)


def _year(cells, code: str, years: list[int], variable: str, inputs: list[str]) -> int | None:
    """The latest year whose derived value BIPA counts valid; else the latest with any input recorded."""
    def values(year: int) -> dict[str, float]:
        return {name: float(row["value"]) for name, row in cells[(code, year)].items()}
    chosen = [year for year in years if valid(variable, derive(values(year))[variable])]
    if chosen:
        return chosen[-1]
    recorded = [year for year in years if any(RENAMED.get(f, f) in cells[(code, year)] for f in inputs)]
    return recorded[-1] if recorded else None


def _entry(row: dict[str, str], variable: str) -> str:
    source, year = row["source"], row["year"]
    if source.startswith("ISORA"):
        text = ISORA.format(form=source.removeprefix("ISORA "), letter=source.rsplit(" ", 1)[-1])
        what = f"ISORA fiscal year {year}"
    else:
        text, what = DOING_BUSINESS, f"Doing Business year {year} (the Index's copy: {SOURCEDATA}, data_raw/DB_2020/)"
    note = f"{what}; the year BIPA takes {variable} from (convert.py)"
    value = row["value"]
    return f"    - value: {value}\n      as_of: {year}-12-31\n      source: \"{text}\"\n      note: \"{note}\""


def _write(path: Path, code: str, name: str, facts: list[str], entries: dict[str, list[str]]) -> None:
    lines = ["# yaml-language-server: $schema=../../../assess/schemas/profile.schema.json",
             f"# {name} ({code}): raw inputs of BIPA 2024 theme Tax administration; written by convert.py from",
             "# indicators.csv. Every fact starts unknown; a metric's inputs are of the year BIPA takes it from.",
             f"country: {code}"]
    if code in NAMES:
        lines.append(f"entity: {{kind: country, name: {NAMES[code]}}}")
    lines.append("facts:")
    for fact in facts:
        lines.append(f"  {fact}:")
        lines.append("    - {value: unknown, as_of: 1900-01-01}")
        lines.extend(entries[fact])
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
