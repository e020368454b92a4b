"""Governance refusals on SQLite and PostgreSQL: a precise error naming where, and nothing
published or written."""

from __future__ import annotations

import pytest

from ordoflow.application import commands as c
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId
from ordoflow.governance.versions import ArtifactKind
from tests.governance_data import (
    publish,
    publish_standard_process,
    ruleset_text,
    template_text,
)
from tests.integration.test_bad_input import row_counts
from tests.staff import ADMIN, BOARD, OWNER, ensure_staff

AUTHOR = ActorId("owner.on.board")
UNIQUE_OVERLAP = ruleset_text("customer_validation").replace(
    'hitPolicy="FIRST"', 'hitPolicy="UNIQUE"'
)


@pytest.fixture(autouse=True)
def staff(app: App) -> None:
    """The cast who draft, submit and approve."""
    ensure_staff(app.bus)


def refused(app: App, command: c.Command) -> DomainError:
    before = row_counts(app)
    with pytest.raises(DomainError) as caught:
        app.bus.handle(command)
    assert row_counts(app) == before, "a refusal writes nothing"
    return caught.value


def draft(kind: ArtifactKind, name: str, text: str) -> c.DraftVersion:
    return c.DraftVersion(kind=kind, name=name, text=text, actor=OWNER)


def test_overlapping_rows_under_unique_are_refused_naming_them(app: App) -> None:
    exc = refused(app, draft(ArtifactKind.TABLE, "customer_validation", UNIQUE_OVERLAP))
    assert exc.code is ErrorCode.DECISION_HIT_POLICY_VIOLATION
    assert "rules 1 and 3, 1 and 4, 1 and 5, 2 and 3" in exc.message  # 1 and 2 cannot meet


def test_a_cell_that_does_not_parse_is_refused_naming_the_rule(app: App) -> None:
    broken = ruleset_text("credit").replace("[31..90]", "[31..")
    exc = refused(app, draft(ArtifactKind.TABLE, "credit", broken))
    assert exc.code is ErrorCode.DECISION_CELL_INVALID
    assert "rule 3" in exc.message


def test_a_template_with_a_cycle_or_an_unknown_table_is_refused(app: App) -> None:
    publish_standard_process(app.bus)
    cycle = template_text().replace("after: [validate_customer]\n    routes:\n      hold: "
                                    "{queue: pricing_approval",
                                    "after: [release]\n    routes:\n      hold: "
                                    "{queue: pricing_approval")  # fmt: skip
    assert "cycle" in refused(app, draft(ArtifactKind.TEMPLATE, "order_to_cash", cycle)).message
    unknown = template_text().replace("table: credit\n", "table: credit_v9\n")
    exc = refused(app, draft(ArtifactKind.TEMPLATE, "order_to_cash", unknown))
    assert exc.code is ErrorCode.TEMPLATE_INVALID
    assert "steps.2.table" in exc.message


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("steps.export_compliance.table: credit", "locked"),
        ("steps.release.parameters.minimum fill rate: 1.5", "above 1.0"),
    ],
)
def test_a_variant_touching_a_locked_step_or_exceeding_a_bound_is_refused(
    app: App, change: str, why: str
) -> None:
    publish_standard_process(app.bus)
    text = (
        f"name: dal\ntemplate: order_to_cash\nscope: site\napplies_to: DAL1\nchanges:\n  {change}\n"
    )
    exc = refused(app, draft(ArtifactKind.VARIANT, "dal", text))
    assert exc.code is ErrorCode.VARIANT_REFUSED
    assert why in exc.message


def test_approval_by_the_author_is_refused_and_nothing_is_published(app: App) -> None:
    # an author who also sits on the board may not approve their own version
    both = User(AUTHOR, "Owner and board member",
                frozenset({Role.PROCESS_OWNER, Role.GOVERNANCE_BOARD}))  # fmt: skip
    app.bus.handle(c.SaveUser(user=both, actor=ADMIN))
    text = ruleset_text("credit")
    number = app.bus.handle(c.DraftVersion(kind=ArtifactKind.TABLE, name="credit", text=text,
                                           actor=AUTHOR))  # fmt: skip
    app.bus.handle(c.SubmitVersion(kind=ArtifactKind.TABLE, name="credit", number=number,
                                   actor=AUTHOR))  # fmt: skip
    exc = refused(app, c.ApproveVersion(kind=ArtifactKind.TABLE, name="credit", number=number,
                                        actor=AUTHOR))  # fmt: skip
    assert exc.code is ErrorCode.MAKER_CHECKER
    with app.uow_factory() as uow:
        assert uow.versions.published(ArtifactKind.TABLE) == []
    app.bus.handle(c.ApproveVersion(kind=ArtifactKind.TABLE, name="credit", number=number,
                                    actor=BOARD))  # fmt: skip
    with app.uow_factory() as uow:
        assert [v.name for v in uow.versions.published(ArtifactKind.TABLE)] == ["credit"]


def test_publishing_leaves_an_audit_trail_that_verifies(app: App) -> None:
    publish(app.bus, ArtifactKind.TABLE, "credit", ruleset_text("credit"))
    with app.uow_factory() as uow:
        trail = uow.audit.entries("table:credit")
    assert [e.action for e in trail] == ["drafted", "submitted", "published"]


def test_a_template_whose_table_reads_what_no_order_has_is_refused_naming_step_and_input(
    app: App,
) -> None:
    publish_standard_process(app.bus)
    unknown = ruleset_text("credit").replace("<text>days past due</text>",
                                             "<text>days overdue</text>")  # fmt: skip
    publish(app.bus, ArtifactKind.TABLE, "credit", unknown)
    exc = refused(app, draft(ArtifactKind.TEMPLATE, "order_to_cash", template_text()))
    assert exc.code is ErrorCode.TEMPLATE_INVALID
    assert "steps.2" in exc.message
    assert "'days overdue'" in exc.message


def test_a_document_named_otherwise_than_its_version_is_refused(app: App) -> None:
    publish_standard_process(app.bus)
    exc = refused(
        app, draft(ArtifactKind.VARIANT, "dallas", template_text("rotterdam.variant.yaml"))
    )
    assert exc.code is ErrorCode.VARIANT_REFUSED
    assert "named 'rotterdam'" in exc.message
    exc = refused(app, draft(ArtifactKind.TEMPLATE, "returns", template_text()))
    assert exc.code is ErrorCode.TEMPLATE_INVALID
