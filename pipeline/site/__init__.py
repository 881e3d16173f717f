"""What a visitor of a release folder sees: static pages, portal metadata and SQL for analysts.

Entry points the publishing steps call:

- ``write_release_site(staging, tables, descriptor, changes, release_id, base_url, previous, place=,
  doc_keys=)``: index.html, notices/<doc_id>.html, assets/, units/, views.sql, dcat.ttl and
  dcat.jsonld in one release, from the release's Arrow tables. A notice page depends on its notice
  only; ``place`` lets the caller reuse an unchanged one (see build.write_release_site);
- ``write_outputs_index(outputs, base_url)``: outputs/index.html and outputs/history.sql from
  releases/index.json;
- ``resolve_base_url`` and ``base_url_notice`` for the --base-url setting and quality.md.
"""
from pipeline.site.base_url import DEFAULT_BASE_URL, base_url_notice, resolve_base_url
from pipeline.site.build import upcoming_release_id, write_outputs_index, write_release_site

__all__ = ["DEFAULT_BASE_URL", "base_url_notice", "resolve_base_url", "upcoming_release_id",
           "write_outputs_index", "write_release_site"]
