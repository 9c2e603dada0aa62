"""DESIGN.md's layout rule, checked where a change would break it: no module of homework/ over 400 lines."""

from pathlib import Path

LIMIT = 400


def test_no_package_module_is_over_the_line_limit():
    package = Path(__file__).resolve().parent.parent / "homework"
    long = {path.name: n for path in package.glob("*.py") if (n := len(path.read_text().splitlines())) > LIMIT}
    assert not long, f"over {LIMIT} lines (DESIGN.md): {long}; split the module by job"
