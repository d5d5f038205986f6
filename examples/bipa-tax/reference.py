"""Reference computation: Blavatnik Index of Public Administration 2024,
theme 30300 "Tax administration" (12 metrics, 3 indicators, 1 theme score,
119 countries), from the raw ISORA and Doing Business figures in
indicators.csv, checked against every published value in published.csv.

Plain Python + NumPy. Run: python3 reference.py   (exit status 0 = all match)

Steps (see README.md for the publisher's text):
 1. derived facts per country-year: ratios of ISORA raw counts/amounts;
 2. validity rules on the derived value (NA, > 1, outlier thresholds);
 3. per country and metric, the latest year (>= 2019) with a valid value;
 4. cohort normalisation over the 119 countries assessed on the theme:
    min-max (or inverted min-max, or two-sided distance from the cohort
    median, rescaled by min-max on each side), rounded to 2 decimals;
 5. indicator = round(mean of the country's available metrics, 2);
    theme = round(mean of the country's available indicators, 2).
"""
import csv
import math
import os
import sys
from collections import defaultdict
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NA = None


def isna(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def div(a, b):
    """R's `/` on doubles: NA propagates; x/0 gives Inf, -Inf or NaN."""
    if isna(a) or isna(b):
        return NA
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return a / b


def add(*xs):
    if any(isna(x) for x in xs):
        return NA
    return float(sum(xs))


def r_round(x, digits=2):
    """R (>= 4.0.0) round(x, digits), src/nmath/fround.c: take the nearer of
    the two decimal candidates as doubles; on an exact tie take the even one."""
    if isna(x) or x == 0 or not math.isfinite(x):
        return x
    if x < 0:
        return -r_round(-x, digits)
    p10 = 10.0 ** digits
    x10 = p10 * x
    i10 = math.floor(x10)
    xd = i10 / p10
    xu = math.ceil(x10) / p10
    du = xu - x
    dd = x - xd
    return xu if (du < dd or (du == dd and i10 % 2 == 1)) else xd


def r_mean(xs):
    """R's mean() of doubles: the sum and quotient are taken in long double
    (with a second refining pass) and cast back to double, which for these
    few values of the same magnitude is the exact mean of the binary doubles
    rounded once to the nearest double. np.mean (a double sum, then a double
    division) differs in the last bit, and three published aggregates sit on
    decimal ties (0.555, 0.675, 0.795) that this last bit decides."""
    return float(sum(Fraction(x) for x in xs) / len(xs))


# ---------------------------------------------------------------- 1. facts
def load_facts():
    facts = defaultdict(dict)  # (iso3, year) -> {indicator: value}
    with open(os.path.join(HERE, "indicators.csv"), newline="") as f:
        for r in csv.DictReader(f):
            facts[(r["iso3"], int(r["year"]))][r["indicator"]] = float(r["value"])
    return facts


def chosen_values(facts, cohort):
    """Steps 1-3: derived facts, validity, latest valid year >= 2019."""
    chosen = {}  # (iso3, source_variable) -> (year, value)
    for (iso, year), v in facts.items():
        if iso not in cohort or year < 2019:
            continue
        for var, x in derive(v).items():
            if valid(var, x) and ((iso, var) not in chosen or chosen[(iso, var)][0] < year):
                chosen[(iso, var)] = (year, x)
    return chosen


def derive(v):
    """Derived facts for one country-year (ISORA_2021.R, 'generate output
    dataset'). Returns {source_variable: value or NA}."""
    g = lambda k: v.get(k, NA)  # noqa: E731
    out = {}
    for kind in ("corporate", "personal"):
        # on-time filing: filed on time / expected, else the reported rate
        x = div(g(f"returns_{kind}_ontime"), g(f"returns_{kind}_expected"))
        if isna(x):
            x = div(g(f"returns_{kind}_ontime_rate_pct"), 100.0)
        out[f"isora_filing_{kind}"] = x
        # on-time payment: value paid on time / value expected, else the rate
        x = div(g(f"payments_{kind}_ontime"), g(f"payments_{kind}_expected"))
        if isna(x):
            x = div(g(f"payments_{kind}_ontime_rate_pct"), 100.0)
        out[f"isora_payments_{kind}"] = x
        # e-filing: electronic returns / total returns
        parts_e = [g(f"returns_{kind}_e_prefill_accepted"), g(f"returns_{kind}_e_prefill_confirm"),
                   g(f"returns_{kind}_e_prefill_partial"), g(f"returns_{kind}_e_not_prefilled")]
        total = g(f"returns_{kind}_total")
        if isna(total):
            int_total = NA
        elif total == 0:
            int_total = add(g(f"returns_{kind}_paper"), *parts_e, g(f"returns_{kind}_other"))
        else:
            int_total = total
        if not isna(int_total) and int_total == 0 and total == 0:
            use_total = NA
        elif not isna(int_total) and not isna(total) and int_total > total:
            use_total = int_total
        else:
            use_total = total
        out[f"isora_electronic_{kind}"] = div(add(*parts_e), use_total)
    # e-payments: share by number of payments, else by value
    n, val = g("payments_electronic_number_pct"), g("payments_electronic_value_pct")
    out["isora_electronic_payments"] = div(n, 100.0) if not isna(n) else (div(val, 100.0) if not isna(val) else NA)
    # administrative cost ratio: operating expenditure / net revenue
    rev, exp_, est = g("netrevenue_total"), g("expenditure_operating"), g("expenditure_operating_estimate")
    if isna(rev) or rev == 0:
        out["isora_admin_costs"] = NA
    elif not isna(exp_) and exp_ > 0:
        out["isora_admin_costs"] = exp_ / rev
    elif not isna(est) and est > 0:
        out["isora_admin_costs"] = est / rev
    else:
        out["isora_admin_costs"] = NA
    # tax debt ratio: arrears / net revenue (zero arrears -> NA)
    arr = g("arrears_total")
    out["isora_tax_debt"] = NA if (isna(arr) or arr == 0) else div(arr, rev)
    # digital service contacts share (missing channels count as 0)
    ch = {k: (0.0 if isna(g(k)) else g(k)) for k in (
        "contacts_online_account", "contacts_digital_assistance", "contacts_telephone",
        "contacts_email", "contacts_mail", "contacts_in_person")}
    tot = sum(ch.values())
    out["isora_digital_contacts"] = NA if tot == 0 else (ch["contacts_online_account"] + ch["contacts_digital_assistance"]) / tot
    # staff turnover: departures / mean of start and end headcount
    out["isora_fte_turnover"] = div(g("fte_departures"), div(add(g("fte_start"), g("fte_end")), 2.0))
    # shares above 1 (or NaN) are void
    for k in ("isora_filing_corporate", "isora_filing_personal", "isora_payments_corporate",
              "isora_payments_personal", "isora_electronic_corporate", "isora_electronic_personal",
              "isora_electronic_payments", "isora_digital_contacts"):
        if isna(out[k]) or out[k] > 1:
            out[k] = NA
    # Doing Business time to pay taxes (hours/year), used as is
    out["db_taxes_time"] = g("db_taxes_time_hours")
    return out


# ---------------------------------------------------------------- 2. validity
def valid(var, x):
    if isna(x):
        return False
    if var == "isora_tax_debt":
        return x < 3
    if var == "isora_admin_costs":
        return x < 0.324
    if var == "isora_fte_turnover":
        return x < 0.3
    if var == "db_taxes_time":
        return 0 < x < 590
    return x <= 1


# ---------------------------------------------------------------- metric model
METRICS = [  # structure_id, source_variable, transformation (metrics_metadata.csv)
    ("30301.01", "isora_admin_costs", "invert"),
    ("30301.02", "isora_fte_turnover", "median_distance"),
    ("30302.01", "isora_filing_corporate", ""),
    ("30302.02", "isora_filing_personal", ""),
    ("30302.03", "isora_payments_corporate", ""),
    ("30302.04", "isora_payments_personal", ""),
    ("30302.05", "db_taxes_time", "invert"),
    ("30302.06", "isora_tax_debt", "invert"),
    ("30303.01", "isora_electronic_corporate", ""),
    ("30303.02", "isora_electronic_personal", ""),
    ("30303.03", "isora_electronic_payments", ""),
    ("30303.04", "isora_digital_contacts", ""),
]


def rescale(x, to=(0.0, 1.0)):
    """scales::rescale(x, to): (x - min) / (max - min) * diff(to) + to[0],
    min and max over the cohort's values."""
    lo, hi = np.min(x), np.max(x)
    return (x - lo) / (hi - lo) * (to[1] - to[0]) + to[0]


def scale(values, transformation):
    x = np.asarray(values, dtype=float)
    if transformation == "invert":
        return rescale(x, (1.0, 0.0))
    if transformation == "median_distance":
        y = x - np.median(x)  # cohort median (mean of the two middle values if even)
        up = rescale(y * (y >= 0), (1.0, 0.0))
        down = rescale(np.abs(y * (y <= 0)), (1.0, 0.0))
        return np.where(y >= 0, up, down)
    return rescale(x)


def main():
    facts = load_facts()
    with open(os.path.join(HERE, "published.csv"), newline="") as table:
        published = list(csv.DictReader(table))
    # the cohort: every country in indicators.csv (the 120 countries of the
    # Index less Tunisia, which the Index's data-coverage rule left out of
    # this theme); it must be exactly the set with a published theme score
    cohort = sorted({iso for iso, _ in facts})
    assert cohort == sorted({r["iso3"] for r in published if r["level"] == "theme"}), "cohort differs"

    chosen = chosen_values(facts, cohort)

    # 4: cohort normalisation per metric
    computed = {}
    for sid, var, tr in METRICS:
        units = [c for c in cohort if (c, var) in chosen]
        scaled = scale([chosen[(c, var)][1] for c in units], tr)
        for c, s in zip(units, scaled, strict=True):
            computed[(c, sid)] = r_round(float(s), 2)

    # 5: aggregation
    for level_id in sorted({sid.split(".")[0] for sid, _, _ in METRICS}):
        for c in cohort:
            vals = [computed[(c, sid)] for sid, _, _ in METRICS if sid.startswith(level_id + ".") and (c, sid) in computed]
            if vals:
                computed[(c, level_id)] = r_round(r_mean(vals), 2)
    for c in cohort:
        vals = [computed[(c, i)] for i in ("30301", "30302", "30303") if (c, i) in computed]
        computed[(c, "30300")] = r_round(r_mean(vals), 2)

    # compare, at the published precision (2 decimals)
    matched, mismatches = 0, []
    pub_keys = set()
    for r in published:
        key = (r["iso3"], r["structure_id"])
        pub_keys.add(key)
        got = computed.get(key)
        want = float(r["value"])
        if got is not None and f"{got:.{int(r['decimals'])}f}" == f"{want:.{int(r['decimals'])}f}":
            matched += 1
        else:
            mismatches.append((key, want, got))
    extra = sorted(set(computed) - pub_keys)
    # ranks: rank(-value, ties.method = "min") within each structure_id
    rank_bad = []
    for sid in {r["structure_id"] for r in published}:
        vals = {c: v for (c, s), v in computed.items() if s == sid}
        for r in published:
            if r["structure_id"] == sid and r["iso3"] in vals:
                mine = 1 + sum(1 for v in vals.values() if v > vals[r["iso3"]])
                if mine != int(r["rank"]):
                    rank_bad.append((r["iso3"], sid, r["rank"], mine))
    by_level = defaultdict(int)
    for r in published:
        by_level[r["level"]] += 1
    print(f"cohort: {len(cohort)} countries; published values: {len(published)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_level.items()))})")
    print(f"matched {matched}/{len(published)} at 2 decimals; mismatches {len(mismatches)}; "
          f"computed but not published {len(extra)}")
    for m in mismatches[:50]:
        print("  MISMATCH", m)
    for e in extra[:20]:
        print("  EXTRA", e, computed[e])
    print(f"ranks matched {len(published) - len(rank_bad)}/{len(published)}")
    for b in rank_bad[:20]:
        print("  RANK MISMATCH", b)
    ok = not mismatches and not extra and not rank_bad
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
