"""The data dictionary (README section and the release's DATA.md), derived from schemas/.

    python -m pipeline.render.datadict README.md   # rewrites the section between the markers
"""
from __future__ import annotations


from pipeline.render.generated import main
from pipeline.render.markdown import table
from pipeline.schema import TableSpec, load_spec, table_specs

START = "<!-- data-dictionary:start (generated from schemas/ by python -m pipeline.render.datadict README.md) -->"
END = "<!-- data-dictionary:end -->"


def _describe(spec: TableSpec) -> str:
    descriptor = spec.descriptor
    keys = []
    if spec.primary_key:
        keys.append(f"Primary key: ({', '.join(spec.primary_key)}).")
    for fk in spec.foreign_keys:
        ref = fk["reference"]
        keys.append(f"({', '.join(fk['fields'])}) → {ref['resource']}({', '.join(ref['fields'])}).")
    rows = []
    for field in spec.fields:
        constraints = field.get("constraints", {})
        notes = ["required"] if constraints.get("required") else []
        if "enum" in constraints:
            notes.append("one of " + ", ".join(map(str, constraints["enum"])))
        rows.append([field["name"], field["type"], f"{field['title_zh']} / {field['title']}",
                     field["description"] + (f" ({'; '.join(notes)})" if notes else "")])
    return "\n".join([f"### `{spec.name}`: {descriptor['title_zh']} / {descriptor['title']}", "",
                      descriptor["description"], "", " ".join(keys), "",
                      table(["column", "type", "title", "description"], rows, max_chars=400), ""])


def data_dictionary() -> str:
    parts = [_describe(spec) for spec in table_specs().values()]
    parts.append(_describe(load_spec("changes")))
    return "\n".join(parts)


if __name__ == "__main__":
    main(START, END, data_dictionary)
