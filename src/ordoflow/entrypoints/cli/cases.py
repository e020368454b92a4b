"""`ordoflow cases ...`, `ordoflow users ...` and `ordoflow worker timers`: exception queues and
the people who work them."""

from __future__ import annotations

import time

import typer

from ordoflow.application import cases
from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.requests import parse_moment, parse_user
from ordoflow.entrypoints.cli.common import (
    ActorOption,
    JsonOption,
    actor,
    app_session,
    err,
    out,
    print_json,
    run,
    table,
)

cases_app = typer.Typer(help="Exception cases: the queues holds open, and their resolution.",
                        no_args_is_help=True)  # fmt: skip
users_app = typer.Typer(help="Users, their roles and the sites they act for.",
                        no_args_is_help=True)  # fmt: skip
worker_app = typer.Typer(help="Background workers.", no_args_is_help=True)


@cases_app.command("list")
def list_(
    queue: str = typer.Option(None, help="Only this queue."),
    actor_name: str = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Live cases you may see, by priority then oldest first, and the age of each queue."""
    view = run(lambda app: cases.case_queue(app.uow_factory, actor(actor_name), app.bus.clock.now(),
                                      queue))  # fmt: skip
    if as_json:
        print_json(view)
        return
    keys = ("id", "queue", "priority", "status", "owner_role", "assignee", "reason_code",
            "order_id", "age_hours", "overdue")  # fmt: skip
    out.print(table(keys, [[k[key] for key in keys] for k in view["cases"]], title="Cases"))
    buckets = [[q, *counts.values()] for q, counts in sorted(view["aging"].items())]
    names = next(iter(view["aging"].values())).keys() if view["aging"] else ()
    out.print(table(("queue", *names), buckets, title="Age"))


@cases_app.command()
def show(case_id: str, actor_name: str = ActorOption, as_json: bool = JsonOption) -> None:
    """One case with its audit trail."""
    shown = run(lambda app: cases.show_case(app.uow_factory, actor(actor_name), case_id,
                                      app.bus.clock.now()))  # fmt: skip
    if as_json:
        print_json(shown)
        return
    trail, decision = shown.pop("trail"), shown.pop("decision")
    out.print(table(("field", "value"), [(k, v) for k, v in shown.items()], title=case_id))
    if decision:
        out.print(f"Decision {decision['seq']}: {decision['table']} {decision['version']}, "
                  f"row {decision['rule']} -> {decision['outcome']} {decision['reason'] or ''}",
                  markup=False, highlight=False)  # fmt: skip
        rows = [(i["input"], i["value"], i["test"]) for i in decision["inputs"]]
        out.print(table(("input", "value", "test"), rows))
    keys = ("seq", "action", "at", "actor", "reason_code")
    out.print(table(keys, [[t[k] for k in keys] for t in trail], title="Trail"))


def _do(command: c.Command, done: str) -> None:
    run(lambda app: app.bus.handle(command))
    out.print(done)


@cases_app.command()
def assign(
    case_id: str, to: str = typer.Option(..., "--to", help="The user."),
    actor_name: str = ActorOption,
) -> None:  # fmt: skip
    """Give a case to a user who holds its role."""
    _do(c.AssignCase(case_id=case_id, assignee=actor(to), actor=actor(actor_name)),
        f"{case_id}: assigned to {to}")  # fmt: skip


@cases_app.command()
def wait(case_id: str, comment: str = typer.Option(...), actor_name: str = ActorOption) -> None:
    """Mark a case as waiting on the customer."""
    _do(c.WaitOnCustomer(case_id=case_id, comment=comment, actor=actor(actor_name)),
        f"{case_id}: waiting on the customer")  # fmt: skip


@cases_app.command()
def approve(case_id: str, comment: str = typer.Option(None), actor_name: str = ActorOption) -> None:
    """Accept the rule's outcome as allowed; the order goes on."""
    _do(c.ApproveCase(case_id=case_id, comment=comment, actor=actor(actor_name)),
        f"{case_id}: approved")  # fmt: skip


@cases_app.command()
def override(
    case_id: str,
    reason: str = typer.Option(..., help="One of the controlled override reasons."),
    comment: str = typer.Option(...),
    actor_name: str = ActorOption,
) -> None:
    """Decide against the rule, with a reason and a comment; the order goes on."""
    _do(c.OverrideCase(case_id=case_id, reason_code=reason, comment=comment,
                       actor=actor(actor_name)), f"{case_id}: overridden ({reason})")  # fmt: skip


@cases_app.command()
def reject(
    case_id: str, reason: str = typer.Option(...), comment: str = typer.Option(None),
    actor_name: str = ActorOption,
) -> None:  # fmt: skip
    """Reject the order."""
    _do(c.RejectCase(case_id=case_id, reason_code=reason, comment=comment,
                     actor=actor(actor_name)), f"{case_id}: rejected ({reason})")  # fmt: skip


@users_app.command("save")
def save_user(  # noqa: PLR0917 - one parameter per command-line option
    user_id: str,
    name: str = typer.Option(...),
    role: list[str] = typer.Option(..., help="A role; repeat for more."),
    site: list[str] = typer.Option([], help="A site; repeat for more; none: every site."),
    inactive: bool = typer.Option(False, help="Keep the user but let them do nothing."),
    actor_name: str = ActorOption,
) -> None:
    """Create a user or replace their roles and sites (administrators; the first user must
    be an administrator)."""
    with app_session() as app:
        user = parse_user(user_id, name, role, site, active=not inactive)
        app.bus.handle(c.SaveUser(user=user, actor=actor(actor_name)))
    out.print(f"user {user_id}: saved")


@users_app.command()
def delegate(
    to: str = typer.Option(..., "--to", help="Who takes the role."),
    role: str = typer.Option(..., help="One of your roles."),
    until: str = typer.Option(..., help="When it ends (ISO 8601 with a zone)."),
    actor_name: str = ActorOption,
) -> None:
    """Lend one of your roles to another user until a moment; it ends by itself."""
    with app_session() as app:
        delegation = app.bus.handle(c.DelegateAuthority(
            delegate=actor(to), role=role, until=parse_moment("until", until),
            actor=actor(actor_name),
        ))  # fmt: skip
    out.print(f"{delegation}: {role} lent to {to} until {until}")


@users_app.command("list")
def list_users(actor_name: str = ActorOption, as_json: bool = JsonOption) -> None:
    """Every user with roles and sites."""
    users = run(lambda app: cases.list_users(app.uow_factory, actor(actor_name)))
    if as_json:
        print_json(users)
        return
    rows = [(u["id"], u["name"], ", ".join(u["roles"]), ", ".join(u["sites"] or ["every site"]),
             u["active"]) for u in users]  # fmt: skip
    out.print(table(("id", "name", "roles", "sites", "active"), rows, title="Users"))


@worker_app.command()
def timers(
    once: bool = typer.Option(False, help="One tick, then stop."),
    every: float = typer.Option(60.0, help="Seconds between ticks."),
) -> None:
    """Escalate cases past their deadline along their route's escalation path."""
    while True:
        count = run(lambda app: app.bus.handle(c.EscalateDueCases()))
        out.print(f"escalated {count} case(s)")
        if once:
            return
        time.sleep(every)


@worker_app.command("run")
def run_steps(
    once: bool = typer.Option(False, help="One tick, then stop."),
    every: float = typer.Option(1.0, help="Seconds between ticks."),
) -> None:
    """Run the steps that follow events (filling backorders after a receipt, ...) from the
    outbox; each event once per step, resumed after a crash."""
    while True:
        report = run(lambda app: dispatch_once(app.bus.uow_factory, app.bus.clock))
        out.print(f"handled {report.handled} event(s)")
        for consumer, event_id, error in report.failed:
            err.print(f"{consumer} {event_id}: {error}", markup=False)
        if once:
            return
        time.sleep(every)


__all__ = ["cases_app", "users_app", "worker_app"]
