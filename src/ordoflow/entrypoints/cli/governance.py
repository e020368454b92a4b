"""`ordoflow governance ...`: draft, review, publish and retire templates, variants and tables."""

from __future__ import annotations

from pathlib import Path

import typer

from ordoflow.application import commands as c
from ordoflow.application.commands import ArtifactKind
from ordoflow.application.governing import activations, version_diff, version_history
from ordoflow.application.process import show_effective_process
from ordoflow.application.requests import parse_moment
from ordoflow.application.whatif import what_if, what_if_text
from ordoflow.entrypoints.cli.common import (
    ActorOption,
    JsonOption,
    actor,
    app_session,
    out,
    print_json,
    read_file,
    run,
    table,
)

governance_app = typer.Typer(
    help="Versions of templates, variants and decision tables: draft → in review → published "
    "→ retired; publishing needs a second person.",
    no_args_is_help=True,
)
Kind = typer.Argument(..., help="template, variant or table")


@governance_app.command()
def draft(
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    file: Path = typer.Argument(...),
    actor_name: str = ActorOption,
) -> None:
    """Draft a new version from a file (DMN for a table, YAML for a template or variant)."""
    with app_session() as app:
        text = read_file(file)
        number = app.bus.handle(c.DraftVersion(kind=kind, name=name, text=text,
                                               actor=actor(actor_name)))  # fmt: skip
    out.print(f"{kind.value} {name} v{number}: draft")


def _move(command: c.VersionCommand, done: str) -> None:
    run(lambda app: app.bus.handle(command))
    out.print(f"{command.kind.value} {command.name} v{command.number}: {done}")


@governance_app.command()
def submit(
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    number: int = typer.Argument(...),
    actor_name: str = ActorOption,
) -> None:
    """Submit a draft for review."""
    _move(c.SubmitVersion(kind=kind, name=name, number=number, actor=actor(actor_name)),
          "in review")  # fmt: skip


@governance_app.command()
def approve(
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    number: int = typer.Argument(...),
    effective_from: str = typer.Option(
        None, help="When it takes effect (ISO 8601, with a time zone); now if left out."
    ),
    actor_name: str = ActorOption,
) -> None:
    """Approve and publish a version in review (never by its author)."""
    with app_session() as app:
        moment = parse_moment("effective_from", effective_from) if effective_from else None
        command = c.ApproveVersion(
            kind=kind, name=name, number=number, actor=actor(actor_name), effective_from=moment
        )
        app.bus.handle(command)
    out.print(f"{kind.value} {name} v{number}: published")


@governance_app.command("send-back")
def send_back(
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    number: int = typer.Argument(...),
    actor_name: str = ActorOption,
) -> None:
    """Send a version in review back to draft."""
    _move(c.SendBackVersion(kind=kind, name=name, number=number, actor=actor(actor_name)),
          "draft")  # fmt: skip


@governance_app.command()
def retire(
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    number: int = typer.Argument(...),
    actor_name: str = ActorOption,
) -> None:
    """Retire a published version."""
    _move(c.RetireVersion(kind=kind, name=name, number=number, actor=actor(actor_name)),
          "retired")  # fmt: skip


@governance_app.command("list")
def list_(
    kind: ArtifactKind = Kind, name: str = typer.Argument(...), actor_name: str = ActorOption
) -> None:
    """Every version of one template, variant or table."""
    versions = run(lambda app: version_history(app.uow_factory, actor(actor_name), kind, name))
    rows = [(v.number, v.status.value, v.author, v.approved_by, v.effective_from,
             v.content_hash[:12]) for v in versions]  # fmt: skip
    out.print(table(("version", "status", "author", "approved by", "effective from", "hash"),
                    rows, title=f"{kind.value} {name}"))  # fmt: skip


@governance_app.command()
def diff(
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    older: int = typer.Argument(...),
    newer: int = typer.Argument(...),
    actor_name: str = ActorOption,
) -> None:
    """What changed between two versions."""
    lines = run(lambda app: version_diff(app.uow_factory, actor(actor_name), kind, name, older,
                                         newer))  # fmt: skip
    out.print("\n".join(lines) if lines else "no difference", markup=False, highlight=False)


@governance_app.command("what-if")
def what_if_(  # noqa: PLR0917 - Typer passes each argument and option by position
    kind: ArtifactKind = Kind,
    name: str = typer.Argument(...),
    number: int = typer.Argument(...),
    last: int = typer.Option(200, min=1, max=100_000, help="How many recent orders to replay."),
    as_json: bool = JsonOption,
    actor_name: str = ActorOption,
) -> None:
    """Replay a version (a draft, before it is published) on the inputs recorded for the last
    N orders of your sites: which decisions would change and how."""
    report = run(lambda app: what_if(app.uow_factory, actor(actor_name), kind, name, number,
                                     last))  # fmt: skip
    if as_json:
        print_json(report.to_json())
        return
    out.print(what_if_text(report), end="", markup=False, highlight=False)


@governance_app.command()
def effective(
    site: str = typer.Option(..., help="Site code."),
    channel: str = typer.Option(..., help="api, edi, ecommerce or field_sales."),
    template: str = typer.Option("order_to_cash", help="Template name."),
    at: str = typer.Option("", help="Moment (ISO 8601 with a time zone); now if left out."),
    actor_name: str = ActorOption,
) -> None:
    """The process a site and channel run: template and variants applied, versions pinned."""
    with app_session() as app:
        moment = parse_moment("at", at) if at else app.bus.clock.now()
        described = show_effective_process(app.uow_factory, actor(actor_name), template, site,
                                           channel, moment)  # fmt: skip
    print_json(described)


@governance_app.command()
def activate(  # noqa: PLR0917 - Typer passes each argument and option by position
    template: str = typer.Argument(...),
    number: int = typer.Argument(...),
    site: str = typer.Option("", help="Activate for this site."),
    channel: str = typer.Option("", help="Activate for this channel."),
    effective_from: str = typer.Option("", help="From when (ISO 8601 with a time zone)."),
    actor_name: str = ActorOption,
) -> None:
    """Request a phase of a roll-out: a published template version for one site, one channel,
    or (with neither) everywhere. Another person approves it."""
    scope, target = (
        ("site", site) if site else ("channel", channel) if channel else ("everywhere", "*")
    )
    with app_session() as app:
        moment = parse_moment("effective_from", effective_from) if effective_from else None
        activation = app.bus.handle(c.RequestActivation(
            template=template, number=number, scope=scope, target=target,
            effective_from=moment, actor=actor(actor_name),
        ))  # fmt: skip
    out.print(f"{activation}: requested")


@governance_app.command("decide-activation")
def decide_activation(
    activation_id: str = typer.Argument(...),
    approve: bool = typer.Option(..., "--approve/--reject", help="Approve or reject it."),
    actor_name: str = ActorOption,
) -> None:
    """Approve or reject a requested activation (never by whoever requested it)."""
    run(lambda app: app.bus.handle(c.DecideActivation(
        activation_id=activation_id, approve=approve, actor=actor(actor_name)
    )))  # fmt: skip
    out.print(f"{activation_id}: {'approved' if approve else 'rejected'}")


@governance_app.command("activations")
def list_activations(template: str = typer.Argument(...), actor_name: str = ActorOption) -> None:
    """The roll-out of a template: every activation requested, with its status."""
    found = run(lambda app: activations(app.uow_factory, actor(actor_name), template))
    rows = [(a.id, f"v{a.number}", a.scope, a.target, a.effective_from, a.status.value,
             a.requested_by, a.decided_by) for a in found]  # fmt: skip
    headers = ("activation", "version", "scope", "target", "effective from", "status",
               "requested by", "decided by")  # fmt: skip
    out.print(table(headers, rows, title=f"template {template}"))


__all__ = ["governance_app"]
