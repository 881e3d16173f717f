"""The README: its two commands come first, and its data dictionary matches schemas/."""
from __future__ import annotations

from pathlib import Path

from pipeline.render.datadict import END, START, data_dictionary
from pipeline.schema import table_specs

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
CI = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_opens_with_build_and_test_commands():
    blocks = README.split("```sh\n")[1:3]
    build, test = (block.split("\n```")[0].strip() for block in blocks)
    assert build.endswith("plandata build") and "pip install" in build
    assert test.endswith("python -m pytest --all-tiers") and '".[test]"' in test
    assert test in CI, ".ci/run must run the README's test command"


def test_data_dictionary_is_current():
    section = README.split(START)[1].split(END)[0]
    assert section.strip() == data_dictionary().strip(), \
        "run: python -m pipeline.render.datadict README.md"
    for name in table_specs():
        assert f"### `{name}`" in section
