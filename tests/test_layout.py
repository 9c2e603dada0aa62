"""DESIGN.md's layout rules, checked where a change would break them: no module of homework/ over 400
lines, the engine and the question generator as sub-packages that do not climb back up, and every
script the docs cite for a figure committed."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "homework"
LIMIT = 400
# what each sub-package may import from the rest of homework/: the engine nothing, the generator the unit table
MAY_IMPORT = {"generation": set(), "questions": {"conversion_utils", "cli"}}


def test_no_package_module_is_over_the_line_limit():
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text().splitlines())) > LIMIT}
    assert not long, f"over {LIMIT} lines (DESIGN.md): {long}; split the module by job"


def climbs(path: Path) -> set[str]:
    """The top-level homework modules a sub-package module imports (relative imports with two dots)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level >= 2:
            names.add((node.module or "").split(".")[0] or node.names[0].name)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("homework"):
            names.add(node.module.split(".")[1] if "." in node.module else node.names[0].name)
    return names


def test_the_engine_and_the_generator_are_sub_packages_that_do_not_climb_back_up():
    for package, allowed in MAY_IMPORT.items():
        modules = sorted((PACKAGE / package).glob("*.py"))
        assert (PACKAGE / package / "__init__.py") in modules and len(modules) >= 5
        for module in modules:
            extra = climbs(module) - allowed
            assert not extra, f"homework/{package}/{module.name} imports {extra} from the package above"


def test_no_module_imports_a_command_lines_main():
    for path in PACKAGE.rglob("*.py"):
        assert "__main__" not in {alias.name for node in ast.walk(ast.parse(path.read_text()))
                                  if isinstance(node, ast.ImportFrom) for alias in node.names}, path


def test_every_script_the_docs_cite_is_committed():
    docs = [ROOT / "README.md", ROOT / "CHANGES_SUMMARY.txt", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(path.read_text() for path in docs)
    cited = set(re.findall(r"benchmarks/[\w/.-]+\.(?:py|sh)", text))
    cited |= {f"benchmarks/{m.replace('.', '/')}.py" for m in re.findall(r"python -m benchmarks\.([\w.]+)", text)}
    assert cited, "the README cites its benchmark scripts"
    missing = sorted(name for name in cited if not (ROOT / name).is_file())
    assert not missing, f"cited but not committed: {missing}"
    assert not re.findall(r"runs/speed/\w+\.py", text), "a figure cites a script outside the repository"
