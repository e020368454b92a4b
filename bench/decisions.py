"""Decision-table throughput: a distributor's credit check (20 rows, FIRST) and its shipping
surcharges (50 rows, COLLECT as a list, and COLLECT SUM) run by the governance engine, against
the same rules written by hand as plain Python over the same inputs.

    .venv/bin/python bench/decisions.py [--inputs N] [--rounds R] [--seed S]
                                        [--profile first_20|collect_50|collect_sum_50 ...]

The inputs are generated once from a seeded random generator (numbers as `Decimal`, as FEEL
wants them) and kept in memory, and each table is compiled once. Every path first runs over all
the inputs: that is the warm-up, and the check that the engine and plain Python decide the same
on every input (a difference stops the benchmark with the input and both answers). Then each
path is timed over all the inputs in R rounds, interleaved with the other path's rounds so both
see the same machine; a path's rate is the median of its rounds' rates. One process, one core.

The engine path is `CompiledTable.evaluate`, which also returns the trace (matched rows, the
inputs as the table saw them, the reason codes). The plain Python paths return only the outputs:
they are the floor, and the ratio says how much of it the engine keeps. The target is
250,000 decisions/s for the 20-row FIRST table. `--profile` adds, before the report, a
cProfile of one more pass of the engine over the inputs of the named tables, by own time
(profiling slows every call, so read it for shares and call counts, not for rates). The last
line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import pstats
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordoflow.governance.tables import (
    Aggregation,
    CompiledTable,
    Decision,
    DecisionTable,
    HitPolicy,
    InputClause,
    OutputClause,
    Rule,
    compile_table,
)

DEFAULT_INPUTS = 100_000
DEFAULT_ROUNDS = 5
DEFAULT_SEED = 20260417
FIRST_TARGET = 250_000.0  # decisions/s, 20-row FIRST table, one core

Context = Mapping[str, Any]
Surcharge = tuple[str, Decimal]

# -- the credit check: 20 rows, FIRST --------------------------------------------------------

CREDIT_INPUTS = (
    InputClause("Customer tier", "tier", "string"),
    InputClause("Days past due", "days_past_due", "number"),
    InputClause("Exposure after order / credit limit", "exposure", "number"),
    InputClause("Order amount", "order_amount", "number"),
)
CREDIT_OUTPUTS = (
    OutputClause("outcome", "string", '"pass","hold","reject"'),
    OutputClause("reason", "string"),
)

# tier, days past due, exposure after the order / credit limit, order amount -> outcome, reason
CREDIT_RULES = (
    ("-", "> 90", "-", "-", "reject", "dpd_over_90"),
    ('not("strategic")', "[61..90]", "-", "-", "reject", "dpd_61_90"),
    ("-", "-", "> 1.5", "-", "reject", "over_limit_150"),
    ('"cash"', "-", "-", "> 50000", "reject", "cash_order_too_large"),
    ('"cash"', "-", "-", "-", "hold", "cash_in_advance"),
    ('"strategic"', "[61..90]", "-", "-", "hold", "strategic_dpd_61_90"),
    ('"preferred","standard"', "[31..60]", "> 1.0", "-", "hold", "dpd_31_60_over_limit"),
    ('"standard"', "[31..60]", "-", ">= 10000", "hold", "dpd_31_60_large_order"),
    ('"standard"', "[31..60]", "-", "-", "hold", "dpd_31_60"),
    ('"preferred"', "[31..60]", "<= 1.0", "< 25000", "pass", "preferred_grace"),
    ('"preferred"', "[31..60]", "-", "-", "hold", "dpd_31_60"),
    ('"strategic"', "[1..60]", "(1.0..1.5]", "-", "hold", "strategic_over_limit_dpd"),
    ('"strategic"', "-", "<= 1.5", "-", "pass", "strategic_tolerance"),
    ('not("strategic","preferred")', "[1..30]", "> 1.0", "-", "hold", "dpd_1_30_over_limit"),
    ('"preferred"', "-", "(1.0..1.2]", "< 5000", "pass", "preferred_small_overrun"),
    ("-", "-", "> 1.0", "-", "hold", "over_limit"),
    ('"standard"', "[1..30]", "[0.8..1.0]", ">= 50000", "hold", "near_limit_large_order"),
    ('"standard","preferred"', "[1..30]", "-", ">= 100000", "hold", "large_order_dpd"),
    ("-", "0", "<= 1.0", "-", "pass", "current"),
    ("-", "-", "-", "-", "pass", "within_terms"),
)


def credit_table() -> DecisionTable:
    """Annotations carry the reason codes too, so `Decision.reasons` is filled as in use."""
    rules = tuple(
        Rule(inputs=tuple(cells), outputs=(f'"{outcome}"', f'"{reason}"'), annotation=reason,
             id=f"credit-{n}")
        for n, (*cells, outcome, reason) in enumerate(CREDIT_RULES, start=1)
    )  # fmt: skip
    return DecisionTable("credit check", CREDIT_INPUTS, CREDIT_OUTPUTS, rules, HitPolicy.FIRST)


D0, D1, D30, D31, D60, D61, D90 = (Decimal(n) for n in (0, 1, 30, 31, 60, 61, 90))
D0_8, D1_0, D1_2, D1_5 = (Decimal(n) for n in ("0.8", "1.0", "1.2", "1.5"))
D5000, D10000, D25000, D50000, D100000 = (Decimal(n) for n in (5000, 10000, 25000, 50000, 100000))


def credit_plain(ctx: Context) -> tuple[str, str]:  # noqa: PLR0911, PLR0912 - the chain is the point
    """The credit table written by hand: one `if` per row, in row order, same conditions."""
    tier, dpd, exp, amount = ctx["tier"], ctx["days_past_due"], ctx["exposure"], ctx["order_amount"]
    if dpd > D90:
        return "reject", "dpd_over_90"
    if tier != "strategic" and D61 <= dpd <= D90:
        return "reject", "dpd_61_90"
    if exp > D1_5:
        return "reject", "over_limit_150"
    if tier == "cash" and amount > D50000:
        return "reject", "cash_order_too_large"
    if tier == "cash":
        return "hold", "cash_in_advance"
    if tier == "strategic" and D61 <= dpd <= D90:
        return "hold", "strategic_dpd_61_90"
    if tier in {"preferred", "standard"} and D31 <= dpd <= D60 and exp > D1_0:
        return "hold", "dpd_31_60_over_limit"
    if tier == "standard" and D31 <= dpd <= D60 and amount >= D10000:
        return "hold", "dpd_31_60_large_order"
    if tier == "standard" and D31 <= dpd <= D60:
        return "hold", "dpd_31_60"
    if tier == "preferred" and D31 <= dpd <= D60 and exp <= D1_0 and amount < D25000:
        return "pass", "preferred_grace"
    if tier == "preferred" and D31 <= dpd <= D60:
        return "hold", "dpd_31_60"
    if tier == "strategic" and D1 <= dpd <= D60 and D1_0 < exp <= D1_5:
        return "hold", "strategic_over_limit_dpd"
    if tier == "strategic" and exp <= D1_5:
        return "pass", "strategic_tolerance"
    if tier not in {"strategic", "preferred"} and D1 <= dpd <= D30 and exp > D1_0:
        return "hold", "dpd_1_30_over_limit"
    if tier == "preferred" and D1_0 < exp <= D1_2 and amount < D5000:
        return "pass", "preferred_small_overrun"
    if exp > D1_0:
        return "hold", "over_limit"
    if tier == "standard" and D1 <= dpd <= D30 and D0_8 <= exp <= D1_0 and amount >= D50000:
        return "hold", "near_limit_large_order"
    if tier in {"standard", "preferred"} and D1 <= dpd <= D30 and amount >= D100000:
        return "hold", "large_order_dpd"
    if dpd == D0 and exp <= D1_0:
        return "pass", "current"
    return "pass", "within_terms"


def credit_agree(decision: Decision, plain: tuple[str, str]) -> bool:
    result = decision.result
    return (result["outcome"], result["reason"]) == plain and decision.reasons == (plain[1],)


TIERS = ("strategic", "preferred", "standard", "cash")
CREDIT_LIMITS = tuple(Decimal(n) for n in (10_000, 25_000, 50_000, 100_000, 250_000, 500_000))


def days_past_due(rng: random.Random) -> Decimal:
    band = rng.choices(((0, 0), (1, 30), (31, 60), (61, 90), (91, 180)), (58, 25, 10, 5, 2))[0]
    return Decimal(rng.randint(*band))


def credit_inputs(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Orders against customers' accounts: tier, days past due on the oldest open invoice, the
    share of the credit limit in use once this order is added, and the order amount (50 to
    250,000, log-uniform; larger orders go to accounts with larger limits)."""
    inputs = []
    for _ in range(count):
        amount = Decimal(math.exp(rng.uniform(math.log(50), math.log(250_000))))
        amount = amount.quantize(Decimal("0.01"))
        scaled = Decimal(rng.choice((2, 5, 10))) * amount.quantize(Decimal(1000))
        limit = max(rng.choice(CREDIT_LIMITS), scaled)
        in_use = Decimal(rng.betavariate(2, 3) * 1.25)  # open balance / credit limit
        inputs.append({
            "tier": rng.choices(TIERS, (10, 25, 50, 15))[0],
            "days_past_due": days_past_due(rng),
            "exposure": (in_use + amount / limit).quantize(Decimal("0.001")),
            "order_amount": amount,
        })  # fmt: skip
    return inputs


# -- shipping surcharges: 50 rows, COLLECT ---------------------------------------------------

SURCHARGE_INPUTS = (
    InputClause("Product class", "product_class", "string"),
    InputClause("Shipment weight (kg)", "weight_kg", "number"),
    InputClause("Destination country", "country", "string"),
)

EU = '"DE","FR","NL","BE","IT","ES","PL","SE"'
EUROPE = f'{EU},"GB","CH","NO"'

# product class, shipment weight (kg), destination country -> surcharge code, amount
SURCHARGE_RULES = (
    # by destination
    ("-", "-", '"CA","MX"', "cross_border_na", "12.50"),
    ("-", "-", EU, "eu_export", "35.00"),
    ("-", "-", '"GB","CH","NO"', "non_eu_europe", "42.00"),
    ("-", "-", '"JP","KR","SG","CN"', "apac_export", "48.00"),
    ("-", "-", '"AU","NZ"', "oceania_export", "55.00"),
    ("-", "-", '"BR","AR","CL","CO"', "latam_export", "44.00"),
    ("-", "-", 'not("US")', "export_documents", "15.00"),
    ("-", "-", '"PR"', "territory_delivery", "22.00"),
    ("-", "> 20", '"CA","MX"', "border_brokerage", "18.00"),
    ("-", ">= 150", 'not("US","CA","MX")', "ocean_freight_documents", "75.00"),
    ("-", "< 2", 'not("US")', "small_parcel_export", "6.50"),
    ("-", "-", '"BR","AR"', "import_license_check", "30.00"),
    # by weight
    ("-", "[30..70)", "-", "heavy_30_70", "18.00"),
    ("-", "[70..150)", "-", "heavy_70_150", "45.00"),
    ("-", "[150..500)", "-", "freight_150_500", "95.00"),
    ("-", ">= 500", "-", "freight_500_plus", "210.00"),
    ("-", ">= 1000", '"US"', "liftgate_required", "85.00"),
    ("-", "> 70", 'not("US","CA")', "export_pallet", "60.00"),
    ("-", "< 0.5", "-", "minimum_charge", "3.00"),
    # chemicals (hazmat)
    ('"CHEM"', "-", "-", "hazmat_handling", "65.00"),
    ('"CHEM"', "> 30", "-", "hazmat_heavy", "40.00"),
    ('"CHEM"', "-", 'not("US")', "dangerous_goods_export", "120.00"),
    ('"CHEM"', "-", EUROPE, "adr_documents", "25.00"),
    ('"CHEM"', ">= 150", "-", "hazmat_placards", "55.00"),
    ('"CHEM"', "-", '"AU","NZ","JP"', "hazmat_air_restricted", "90.00"),
    # pharmaceuticals
    ('"PHARMA"', "-", "-", "cold_chain", "38.00"),
    ('"PHARMA"', "-", 'not("US","CA")', "cold_chain_export", "70.00"),
    ('"PHARMA"', "> 20", "-", "cold_chain_heavy", "26.00"),
    ('"PHARMA"', "-", '"BR","AR","CL","CO","CN"', "pharma_import_permit", "45.00"),
    # food
    ('"FOOD"', "-", "-", "food_safety", "8.00"),
    ('"FOOD"', "> 100", "-", "reefer_trailer", "52.00"),
    ('"FOOD"', "-", 'not("US","CA","MX")', "phytosanitary_certificate", "33.00"),
    ('"FOOD"', "-", '"AU","NZ"', "biosecurity_inspection", "47.00"),
    # electronics
    ('"ELEC"', "-", "-", "esd_packaging", "4.50"),
    ('"ELEC"', "[0..5]", 'not("US")', "lithium_battery_declaration", "21.00"),
    ('"ELEC"', "-", '"AU","NZ","JP","KR"', "battery_air_restriction", "28.00"),
    ('"ELEC"', "> 70", "-", "fragile_freight", "35.00"),
    # hardware and bulk
    ('"HW"', "[150..500)", '"US","CA"', "pallet_wrap", "12.00"),
    ('"HW"', ">= 500", "-", "oversize_crate", "65.00"),
    ('"HW"', "< 1", "-", "small_parts_bagging", "1.50"),
    ('"BULK"', "-", "-", "bulk_handling", "30.00"),
    ('"BULK"', ">= 500", '"US"', "ltl_domestic", "48.00"),
    ('"BULK"', ">= 500", 'not("US")', "container_stuffing", "160.00"),
    ('"BULK"', "< 30", "-", "bulk_small_lot", "9.00"),
    # across classes
    ('"CHEM","PHARMA"', "-", '"CA"', "health_canada_review", "27.00"),
    ('"FOOD","PHARMA"', "> 30", '"US"', "temperature_logger", "14.00"),
    ('not("BULK","HW")', ">= 150", "-", "special_handling_freight", "50.00"),
    ('"ELEC","HW"', "-", '"MX"', "nom_labelling", "16.00"),
    ('not("CHEM")', "-", '"SG","JP"', "asia_express_lane", "19.00"),
    ('"CHEM","FOOD","PHARMA"', "-", '"GB"', "uk_regulated_goods", "36.00"),
)


def surcharge_table(*, total: bool) -> DecisionTable:
    """Every surcharge that applies: as a list of code and amount, or (`total`) as their SUM."""
    outputs: tuple[OutputClause, ...]
    if total:
        outputs = (OutputClause("amount", "number"),)
        rules = tuple(Rule((c, w, d), (amount,), code) for c, w, d, code, amount in SURCHARGE_RULES)
        return DecisionTable("shipping surcharge total", SURCHARGE_INPUTS, outputs, rules,
                             HitPolicy.COLLECT, Aggregation.SUM)  # fmt: skip
    outputs = (OutputClause("code", "string"), OutputClause("amount", "number"))
    rules = tuple(
        Rule((c, w, d), (f'"{code}"', amount), code) for c, w, d, code, amount in SURCHARGE_RULES
    )
    return DecisionTable("shipping surcharges", SURCHARGE_INPUTS, outputs, rules, HitPolicy.COLLECT)


# the rate card: each surcharge code with its amount (the conditions are written out below)
S: dict[str, Surcharge] = {code: (code, Decimal(amount)) for *_, code, amount in SURCHARGE_RULES}
EU_SET = frozenset({"DE", "FR", "NL", "BE", "IT", "ES", "PL", "SE"})
EUROPE_SET = EU_SET | {"GB", "CH", "NO"}
W0_5, W1, W2, W5, W20, W30, W70 = (Decimal(n) for n in ("0.5", 1, 2, 5, 20, 30, 70))
W100, W150, W500, W1000 = (Decimal(n) for n in (100, 150, 500, 1000))


def by_destination(kg: Decimal, country: str, out: list[Surcharge]) -> None:
    if country in {"CA", "MX"}:
        out.append(S["cross_border_na"])
    if country in EU_SET:
        out.append(S["eu_export"])
    if country in {"GB", "CH", "NO"}:
        out.append(S["non_eu_europe"])
    if country in {"JP", "KR", "SG", "CN"}:
        out.append(S["apac_export"])
    if country in {"AU", "NZ"}:
        out.append(S["oceania_export"])
    if country in {"BR", "AR", "CL", "CO"}:
        out.append(S["latam_export"])
    if country != "US":
        out.append(S["export_documents"])
    if country == "PR":
        out.append(S["territory_delivery"])
    if kg > W20 and country in {"CA", "MX"}:
        out.append(S["border_brokerage"])
    if kg >= W150 and country not in {"US", "CA", "MX"}:
        out.append(S["ocean_freight_documents"])
    if kg < W2 and country != "US":
        out.append(S["small_parcel_export"])
    if country in {"BR", "AR"}:
        out.append(S["import_license_check"])


def by_weight(kg: Decimal, country: str, out: list[Surcharge]) -> None:
    if W30 <= kg < W70:
        out.append(S["heavy_30_70"])
    if W70 <= kg < W150:
        out.append(S["heavy_70_150"])
    if W150 <= kg < W500:
        out.append(S["freight_150_500"])
    if kg >= W500:
        out.append(S["freight_500_plus"])
    if kg >= W1000 and country == "US":
        out.append(S["liftgate_required"])
    if kg > W70 and country not in {"US", "CA"}:
        out.append(S["export_pallet"])
    if kg < W0_5:
        out.append(S["minimum_charge"])


def chemicals_and_pharma(cls: str, kg: Decimal, country: str, out: list[Surcharge]) -> None:
    if cls == "CHEM":
        out.append(S["hazmat_handling"])
        if kg > W30:
            out.append(S["hazmat_heavy"])
        if country != "US":
            out.append(S["dangerous_goods_export"])
        if country in EUROPE_SET:
            out.append(S["adr_documents"])
        if kg >= W150:
            out.append(S["hazmat_placards"])
        if country in {"AU", "NZ", "JP"}:
            out.append(S["hazmat_air_restricted"])
    elif cls == "PHARMA":
        out.append(S["cold_chain"])
        if country not in {"US", "CA"}:
            out.append(S["cold_chain_export"])
        if kg > W20:
            out.append(S["cold_chain_heavy"])
        if country in {"BR", "AR", "CL", "CO", "CN"}:
            out.append(S["pharma_import_permit"])


def food_and_electronics(cls: str, kg: Decimal, country: str, out: list[Surcharge]) -> None:
    if cls == "FOOD":
        out.append(S["food_safety"])
        if kg > W100:
            out.append(S["reefer_trailer"])
        if country not in {"US", "CA", "MX"}:
            out.append(S["phytosanitary_certificate"])
        if country in {"AU", "NZ"}:
            out.append(S["biosecurity_inspection"])
    elif cls == "ELEC":
        out.append(S["esd_packaging"])
        if kg <= W5 and country != "US":
            out.append(S["lithium_battery_declaration"])
        if country in {"AU", "NZ", "JP", "KR"}:
            out.append(S["battery_air_restriction"])
        if kg > W70:
            out.append(S["fragile_freight"])


def hardware_and_bulk(cls: str, kg: Decimal, country: str, out: list[Surcharge]) -> None:
    if cls == "HW":
        if W150 <= kg < W500 and country in {"US", "CA"}:
            out.append(S["pallet_wrap"])
        if kg >= W500:
            out.append(S["oversize_crate"])
        if kg < W1:
            out.append(S["small_parts_bagging"])
    elif cls == "BULK":
        out.append(S["bulk_handling"])
        if kg >= W500:
            out.append(S["ltl_domestic" if country == "US" else "container_stuffing"])
        if kg < W30:
            out.append(S["bulk_small_lot"])


def across_classes(cls: str, kg: Decimal, country: str, out: list[Surcharge]) -> None:
    if cls in {"CHEM", "PHARMA"} and country == "CA":
        out.append(S["health_canada_review"])
    if cls in {"FOOD", "PHARMA"} and kg > W30 and country == "US":
        out.append(S["temperature_logger"])
    if cls not in {"BULK", "HW"} and kg >= W150:
        out.append(S["special_handling_freight"])
    if cls in {"ELEC", "HW"} and country == "MX":
        out.append(S["nom_labelling"])
    if cls != "CHEM" and country in {"SG", "JP"}:
        out.append(S["asia_express_lane"])
    if cls in {"CHEM", "FOOD", "PHARMA"} and country == "GB":
        out.append(S["uk_regulated_goods"])


def surcharges_plain(ctx: Context) -> list[Surcharge]:
    """The surcharge table by hand, grouped as a developer would write it, in rule order."""
    cls, kg, country = ctx["product_class"], ctx["weight_kg"], ctx["country"]
    out: list[Surcharge] = []
    by_destination(kg, country, out)
    by_weight(kg, country, out)
    chemicals_and_pharma(cls, kg, country, out)
    food_and_electronics(cls, kg, country, out)
    hardware_and_bulk(cls, kg, country, out)
    across_classes(cls, kg, country, out)
    return out


def surcharge_total_plain(ctx: Context) -> Decimal:
    return sum((amount for _, amount in surcharges_plain(ctx)), Decimal(0))


def surcharges_agree(decision: Decision, plain: list[Surcharge]) -> bool:
    return [(o["code"], o["amount"]) for o in decision.result] == plain


def total_agree(decision: Decision, plain: Decimal) -> bool:
    # FEEL's SUM over no matching rows is null, where plain Python's sum is 0
    return (decision.result if decision.result is not None else Decimal(0)) == plain


PRODUCT_CLASSES = ("HW", "ELEC", "FOOD", "CHEM", "PHARMA", "BULK")
COUNTRIES = {
    "US": 55, "CA": 8, "MX": 5, "PR": 1, "DE": 4, "FR": 2, "NL": 2, "BE": 1, "IT": 1, "ES": 1,
    "PL": 1, "SE": 1, "GB": 3, "CH": 1, "NO": 1, "JP": 2, "KR": 1, "SG": 1, "CN": 2, "AU": 2,
    "NZ": 1, "BR": 2, "AR": 1, "CL": 1, "CO": 1,
}  # fmt: skip


def shipment_inputs(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Shipments: product class, weight from 0.1 kg to 1.5 t (log-uniform), destination."""
    countries, weights = list(COUNTRIES), list(COUNTRIES.values())
    low, high = math.log(0.1), math.log(1500)
    return [
        {
            "product_class": rng.choices(PRODUCT_CLASSES, (30, 20, 15, 10, 10, 15))[0],
            "weight_kg": Decimal(math.exp(rng.uniform(low, high))).quantize(Decimal("0.1")),
            "country": rng.choices(countries, weights)[0],
        }
        for _ in range(count)
    ]


# -- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    key: str
    table: CompiledTable
    plain: Callable[[Context], Any]
    agree: Callable[[Decision, Any], bool]
    inputs: Sequence[Context]
    target: float | None = None


@dataclass(frozen=True)
class Measurement:
    """Seconds per round over all inputs; the rate is the median of the rounds' rates."""

    decisions: int
    seconds: tuple[float, ...]

    @property
    def rate(self) -> float:
        return statistics.median(self.decisions / s for s in self.seconds)

    @property
    def best(self) -> float:
        return self.decisions / min(self.seconds)


@dataclass(frozen=True)
class Result:
    case: Case
    engine: Measurement
    plain: Measurement
    spread: str  # how the engine's decisions spread over the rows

    @property
    def ratio(self) -> float:
        return self.engine.rate / self.plain.rate


def checked(case: Case) -> str:
    """Run both paths over every input (the warm-up) and stop at the first disagreement;
    returns how the engine's decisions spread over the rows, for the report."""
    rows: Counter[int] = Counter()
    for n, ctx in enumerate(case.inputs):
        decision, plain = case.table.evaluate(ctx), case.plain(ctx)
        if not case.agree(decision, plain):
            raise SystemExit(
                f"{case.key}: engine and plain Python disagree on input {n} {dict(ctx)!r}:\n"
                f"  engine: {decision.result!r} (rows {decision.matched}, {decision.reasons})\n"
                f"  plain:  {plain!r}"
            )
        rows.update(decision.matched)
    return shape(case, rows)


def shape(case: Case, rows: Counter[int]) -> str:
    count = len(case.inputs)
    if case.table.table.hit_policy is HitPolicy.FIRST:
        mean = sum(n * k for n, k in rows.items()) / count
        unmatched = count - rows.total()
        return (f"deciding row: mean {mean:.1f}, {len(rows)} rows ever decide, "
                f"{unmatched} inputs matched no row")  # fmt: skip
    return f"matched rows per input: mean {rows.total() / count:.2f}, {len(rows)} rows ever match"


def timed(decide: Callable[[Context], object], inputs: Sequence[Context]) -> float:
    began = time.perf_counter()
    for ctx in inputs:
        decide(ctx)
    return time.perf_counter() - began


def measure(case: Case, rounds: int) -> Result:
    spread = checked(case)
    engine, plain = [], []
    for _ in range(rounds):
        engine.append(timed(case.table.evaluate, case.inputs))
        plain.append(timed(case.plain, case.inputs))
    count = len(case.inputs)
    return Result(case, Measurement(count, tuple(engine)), Measurement(count, tuple(plain)), spread)


def profiled(case: Case, lines: int = 15) -> str:
    profile = cProfile.Profile()
    profile.runcall(timed, case.table.evaluate, case.inputs)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats("tottime").print_stats(lines)
    return f"cProfile of the engine on {case.key}, by own time:\n{out.getvalue().strip()}"


def cases(count: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    credit, shipments = credit_inputs(rng, count), shipment_inputs(rng, count)
    surcharges, total = surcharge_table(total=False), surcharge_table(total=True)
    return [
        Case("first_20", compile_table(credit_table()), credit_plain, credit_agree, credit,
             FIRST_TARGET),
        Case("collect_50", compile_table(surcharges), surcharges_plain, surcharges_agree,
             shipments),
        Case("collect_sum_50", compile_table(total), surcharge_total_plain, total_agree,
             shipments),
    ]  # fmt: skip


# -- report ----------------------------------------------------------------------------------


def policy(table: DecisionTable) -> str:
    return f"{table.hit_policy} {table.aggregation}" if table.aggregation else table.hit_policy


def report(results: Sequence[Result]) -> str:
    head = ("table", "rows", "hit policy", "decisions/s", "plain Python decisions/s", "ratio",
            "target", "met")  # fmt: skip
    rows = [head]
    for r in results:
        table, target = r.case.table.table, r.case.target
        rows.append((table.name, str(len(table.rules)), policy(table), f"{r.engine.rate:,.0f}",
                     f"{r.plain.rate:,.0f}", f"{r.ratio:.1%}",
                     f"{target:,.0f}" if target else "-",
                     ("yes" if r.engine.rate >= target else "no") if target else "-"))  # fmt: skip
    widths = [max(len(row[k]) for row in rows) for k in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if k > 2 else cell.ljust(w) for k, (cell, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def details(r: Result) -> str:
    engine_us, plain_us = 1e6 / r.engine.rate, 1e6 / r.plain.rate
    return (
        f"{r.case.key}: engine {engine_us:.2f} µs/decision (best round {r.engine.best:,.0f}/s), "
        f"plain Python {plain_us:.2f} µs/decision (best round {r.plain.best:,.0f}/s); {r.spread}"
    )


def summary(results: Sequence[Result], count: int, rounds: int, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in results:
        figures: dict[str, Any] = {
            "engine": {"value": round(r.engine.rate), "unit": "decisions/s"},
            "plain_python": {"value": round(r.plain.rate), "unit": "decisions/s"},
            "ratio": {"value": round(r.ratio, 4), "unit": "engine/plain_python"},
        }
        if r.case.target:
            figures["target"] = {"value": round(r.case.target), "unit": "decisions/s"}
        out[r.case.key] = figures
    return {"benchmark": "decisions", "inputs": count, "rounds": rounds, "seed": seed,
            "results": out}  # fmt: skip


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inputs", type=int, default=DEFAULT_INPUTS, help="inputs per table")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="timed rounds per path")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random generator seed")
    parser.add_argument("--profile", action="append", default=[], metavar="TABLE",
                        choices=("first_20", "collect_50", "collect_sum_50"),
                        help="also profile the engine on this table (repeatable)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.inputs < 1 or args.rounds < 1:
        parser.error("--inputs and --rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    rounds = f"{args.rounds} round{'s' if args.rounds != 1 else ''}"
    print(f"{args.inputs:,} inputs per table (seed {args.seed}), {rounds} per path", flush=True)
    results = []
    for case in cases(args.inputs, args.seed):
        results.append(measure(case, args.rounds))
        print(f"  {case.key} done", flush=True)
        if case.key in args.profile:
            print(profiled(case), flush=True)
    print()
    print(report(results))
    print()
    for r in results:
        print(details(r))
    print(json.dumps(summary(results, args.inputs, args.rounds, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
