"""Publishing and the site do not import each other in a circle (issue 17 §6): pipeline/publish never
imports pipeline.site, at import time or inside a function, and the site reaches the releases only
through the release index module (ids, read, write), never through release.py's publishing."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function (``from x import y`` gives x and x.y)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def _files(package: str) -> list[Path]:
    return sorted((ROOT / "pipeline" / package).rglob("*.py"))


def test_the_scan_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from pipeline.site import write_outputs_index\n    import pipeline.site.build\n",
                      encoding="utf-8")
    assert {"pipeline.site", "pipeline.site.build"} <= imported_modules(module)


@pytest.mark.parametrize("path", _files("publish"), ids=lambda p: p.name)
def test_publish_never_imports_the_site(path):
    assert not [name for name in imported_modules(path) if name == "pipeline.site" or name.startswith("pipeline.site.")]


@pytest.mark.parametrize("path", _files("site"), ids=lambda p: p.name)
def test_the_site_reads_releases_only_through_the_index_module(path):
    publishing = {"pipeline.publish.release", "pipeline.publish.finalize", "pipeline.publish.prune",
                  "pipeline.publish.rollback", "pipeline.orchestration"}
    assert not [name for name in imported_modules(path)
                if any(name == module or name.startswith(module + ".") for module in publishing)]


def test_the_index_module_renders_nothing():
    assert not [name for name in imported_modules(ROOT / "pipeline/publish/release_index.py")
                if name.startswith(("pipeline.site", "pipeline.render"))]


def test_the_site_uses_the_index_module():
    assert "pipeline.publish.release_index" in imported_modules(ROOT / "pipeline/site/build.py")
