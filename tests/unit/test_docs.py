"""The documents people read stay true to the code they describe."""

from pathlib import Path

from ordoflow.domain.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]


def test_every_error_code_is_explained_in_the_guide() -> None:
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    missing = [code.value for code in ErrorCode if f"`{code.value}`" not in guide]
    assert missing == []


def test_the_readme_opens_with_the_two_commands() -> None:
    lines = [ln for ln in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if ln]
    assert lines[0] == "```"
    assert lines[1].startswith("make demo")
    assert lines[2].startswith("make test")
