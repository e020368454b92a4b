"""Process templates and variants: loading, checking, and resolving the effective process."""

from importlib import resources

import pytest

from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.template import (
    Template,
    load_template,
    load_variant,
    order_steps,
    resolve,
)

FOLDER = resources.files("ordoflow.governance") / "templates"
RULESETS = resources.files("ordoflow.governance") / "rulesets"
TABLES = sorted(p.name.removesuffix(".dmn") for p in RULESETS.iterdir() if p.name.endswith(".dmn"))
TEXT = (FOLDER / "order_to_cash.yaml").read_text(encoding="utf-8")


def standard() -> Template:
    return load_template(TEXT, TABLES)


def refused(code: ErrorCode, call: object, *args: object) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args)  # type: ignore[operator]
    assert caught.value.code is code
    return caught.value.message


def test_the_standard_template_runs_its_steps_in_dependency_order() -> None:
    steps = [s.id for s in order_steps(standard())]
    assert steps == ["validate_customer", "price", "credit", "export_compliance", "order_review",
                     "source", "allocate", "shipping", "release"]  # fmt: skip


def test_every_step_names_a_shipped_table_and_holds_have_an_owner() -> None:
    template = standard()
    assert {s.table for s in template.steps} <= set(TABLES)
    credit = template.step("credit").routes["hold"]
    assert (credit.queue, credit.owner_role, credit.sla_hours) == ("credit_review",
                                                                  "credit_analyst", 4)  # fmt: skip


def test_the_sample_variants_change_only_what_they_may() -> None:
    template = standard()
    rotterdam = resolve(template, load_variant((FOLDER / "rotterdam.variant.yaml").read_text()))
    assert rotterdam.step("release").parameters["minimum fill rate"] == 0.95
    assert rotterdam.step("shipping").routes["hold"].queue == "hazmat_desk"
    assert rotterdam.step("credit") == template.step("credit")
    edi = resolve(template, load_variant((FOLDER / "edi.variant.yaml").read_text()))
    assert edi.step("credit").routes["hold"].sla_hours == 2
    assert template.step("credit").routes["hold"].sla_hours == 4  # resolving changed nothing


def test_no_variant_means_the_template_itself() -> None:
    assert resolve(standard(), None) == standard()


def variant(changes: str, template: str = "order_to_cash") -> str:
    return f"name: v\ntemplate: {template}\nscope: site\napplies_to: DAL1\nchanges:\n{changes}"


@pytest.mark.parametrize(
    ("changes", "where", "why"),
    [
        ("  steps.validate_customer.table: credit\n", "steps.validate_customer.table", "locked"),
        ("  steps.release.parameters.minimum fill rate: 0.3\n", "minimum fill rate",
         "below 0.5"),
        ("  steps.credit.routes.hold.sla_hours: 48\n", "sla_hours", "above 24"),
        ("  steps.credit.table: credit_lenient\n", "steps.credit.table", "no variation point"),
        ("  steps.shipping.routes.hold.queue: anywhere\n", "queue", "not one of"),
        ("  steps.nowhere.table: x\n", "steps.nowhere.table", "names no step"),
        ("  steps.release.parameters.minimum fill rate: high\n", "minimum fill rate",
         "not a number"),
    ],
)  # fmt: skip
def test_a_variant_reaching_beyond_its_variation_points_is_refused(
    changes: str, where: str, why: str
) -> None:
    message = refused(
        ErrorCode.VARIANT_REFUSED, resolve, standard(), load_variant(variant(changes))
    )
    assert where in message
    assert why in message


def test_a_variant_for_another_template_is_refused() -> None:
    other = load_variant(variant("  steps.credit.routes.hold.sla_hours: 2\n", "returns"))
    assert "returns" in refused(ErrorCode.VARIANT_REFUSED, resolve, standard(), other)


def step(body: str) -> str:
    return f"name: t\nsteps:\n{body}"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (step("  - {id: a, table: credit, after: [b]}\n  - {id: b, table: credit, after: [a]}\n"),
         "cycle"),
        (step("  - {id: a, table: nosuch}\n"), "unknown decision table 'nosuch'"),
        (step("  - {id: a, table: credit, after: [ghost]}\n"), "unknown step 'ghost'"),
        (step("  - {id: a, table: credit}\n  - {id: a, table: credit}\n"), "used twice"),
        (step("  - {id: a, table: credit, colour: red}\n"), "steps.0.colour"),
        (step("  - {id: a}\n"), "steps.0.table"),
        (step("  - {id: a, table: credit, routes: {hold: {queue: q, owner_role: r, "
              "sla_hours: 0}}}\n"), "sla_hours"),
        ("name: t\nsteps: []\n", "steps"),
        ("name: [unclosed\n", "not readable YAML"),
        ("- just\n- a list\n", "mapping"),
        (step("  - {id: a, table: credit, locked: true}\n")
         + "variation_points:\n  - {path: steps.a.table}\n", "locked"),
        (step("  - {id: a, table: credit}\n")
         + "variation_points:\n  - {path: steps.a.parameters.ghost}\n", "does not exist"),
    ],
)  # fmt: skip
def test_a_template_that_cannot_run_is_refused_saying_where(text: str, where: str) -> None:
    assert where in refused(ErrorCode.TEMPLATE_INVALID, load_template, text, TABLES)
