"""`ordoflow governance`: a process owner drafts, a board member publishes, on both databases.
On a new database the administrator comes first and saves the process owner and the board
member."""

from __future__ import annotations

from pathlib import Path

from ordoflow.bootstrap import bootstrap
from ordoflow.config import Settings
from ordoflow.governance.versions import ArtifactKind
from tests.e2e.cli import Cli, add_user, first_administrator, refused
from tests.governance_data import publish, publish_standard_process, ruleset_text, template_text
from tests.staff import BOARD, OWNER


def test_a_table_goes_from_draft_to_published_and_its_change_shows_in_a_diff(cli: Cli) -> None:
    cli.ok("db", "upgrade")
    admin = first_administrator(cli)
    # the process owner sits on the board too, and still may not approve their own draft
    add_user(admin, OWNER, "process_owner", "governance_board")
    add_user(admin, BOARD, "governance_board")
    first = cli.file("credit.dmn", ruleset_text("credit"))
    assert "v1: draft" in cli.ok("governance", "draft", "table", "credit", first,
                                 "--actor", "process.owner").out  # fmt: skip
    cli.ok("governance", "submit", "table", "credit", "1", "--actor", "process.owner")
    refused(cli("governance", "approve", "table", "credit", "1", "--actor", "process.owner"),
            "maker_checker")  # fmt: skip
    refused(cli("governance", "approve", "table", "credit", "1", "--actor", "board.member",
                "--effective-from", "2027-01-01"), "invalid_date")  # fmt: skip
    cli.ok("governance", "approve", "table", "credit", "1", "--actor", "board.member",
           "--effective-from", "2027-01-01T00:00:00+01:00")  # fmt: skip
    second = cli.file("credit2.dmn", ruleset_text("credit").replace("&gt; 1.2", "&gt; 1.3"))
    cli.ok("governance", "draft", "table", "credit", second, "--actor", "process.owner")
    board = cli.as_user(BOARD)
    listing = board.ok("governance", "list", "table", "credit").out
    assert "published" in listing
    assert "draft" in listing
    changes = board.ok("governance", "diff", "table", "credit", "1", "2").out
    assert '-        "> 1.2"' in changes
    assert '+        "> 1.3"' in changes
    refused(board("governance", "diff", "table", "credit", "1", "9"), "unknown_version")


def test_a_broken_table_is_never_drafted(cli: Cli, tmp_path: Path) -> None:
    cli.ok("db", "upgrade")
    add_user(first_administrator(cli), OWNER, "process_owner")
    owner = cli.as_user(OWNER)
    broken = cli.file("broken.dmn", ruleset_text("credit").replace("[31..90]", "[31.."))
    refused(owner("governance", "draft", "table", "credit", broken), "decision_cell_invalid")
    assert "draft" not in owner.ok("governance", "list", "table", "credit").out


def test_the_effective_process_of_a_site_and_channel_shows_its_pins(cli: Cli) -> None:
    cli.ok("db", "upgrade")
    app = bootstrap(Settings(database_url=cli.database_url))
    publish_standard_process(app.bus)
    publish(app.bus, ArtifactKind.VARIANT, "rotterdam", template_text("rotterdam.variant.yaml"))
    app.close()
    owner = cli.as_user(OWNER)  # saved by publish_standard_process, with the rest of the staff
    shown = owner.ok("governance", "effective", "--site", "RTM1", "--channel", "edi").json()
    assert shown["pins"]["variant:site"] == "rotterdam v1"
    steps = {s["id"]: s for s in shown["steps"]}
    assert [s["id"] for s in shown["steps"]] == ["validate_customer", "price", "credit",
                                                 "export_compliance", "order_review", "source",
                                                 "allocate", "shipping", "release"]  # fmt: skip
    assert {i: s["action"] for i, s in steps.items() if s["action"] != "decide"} == {
        "source": "source", "allocate": "allocate", "release": "release"
    }  # fmt: skip
    # the variant changes the release threshold and the shipping queue; the rest is the template's
    assert steps["release"]["parameters"] == {"partial allowed": True, "minimum fill rate": 0.95}
    assert steps["shipping"]["parameters"] == {"carrier": "LTL", "ships complete": False}
    assert steps["shipping"]["routes"]["hold"]["queue"] == "hazmat_desk"
    refused(owner("governance", "effective", "--site", "RTM1", "--channel", "edi", "--template",
                  "returns"), "unknown_version")  # fmt: skip
