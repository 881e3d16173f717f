"""Thin Dagster assets: they call the core and the publishing code, attach metadata, and pass
small manifests on (the rows travel in files, so a step may run in another process).

    sources_X, registry_sources -> shard_X (X = 0 … f); registry_sources -> unit_registry
                 -> notice_tables (one output per table)
                 -> release_files [checks] -> plan_database -> release
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import PrivateAttr

from pipeline.orchestration.automation import REGISTRY_SOURCES, sources_key
from pipeline.checks.release_files import verify_release_files
from pipeline.orchestration.code_version import code_version
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import identify, read_registry, registry_tables
from pipeline.extraction.parse_cache import CACHE_DIR, ParseCache
from pipeline.orchestration.progress import step
from pipeline.extraction.shard_store import SHARD_DIR, ShardStore
from pipeline.publish.assemble import (assemble_notice_tables, write_notice_files, write_plan_database,
                                      write_registry_files)
from pipeline.publish.downloads import write_downloads
from pipeline.publish.datapackage import build_descriptor, registry_sources, write_descriptor
from pipeline.orchestration.finalize import finalize
from pipeline.publish.release import (build_lock, change_base, check_outputs, damaged_files, reason, releases_dir,
                                      remove_tree)
from pipeline.publish.reuse import Previous
from pipeline.publish.staging import STAGING_PREFIX, hold_staging, staging_path
from pipeline.publish.tables import read_tables
from pipeline.render.markdown import table as markdown_table
from pipeline.schema import TableSpec, table_specs
from pipeline.extraction.shard import ShardContext, build_shard, registry_key
from pipeline.extraction.shards import SHARDS
from pipeline.site import write_outputs_index
from pipeline.site.base_url import DEFAULT_BASE_URL, resolve_base_url
from pipeline.sources.discovery import list_notices, read_registry_files, unread_files
from pipeline.sources.settings import Settings, missing_line, read_settings

SPECS = table_specs()
PREVIEW_ROWS = 10


class PlanBuild(dg.ConfigurableResource):
    """Where the build reads and writes. Holds the outputs lock for the whole run, or with
    ``parallel_steps`` (the multiprocess executor: one process per step) only while publishing."""

    sources_dir: str = "sources"
    outputs_dir: str = "outputs"
    lock_wait_seconds: float = 0.0
    show_progress: bool = False
    # Where the outputs folder is published (--base-url); empty: PLANDATA_BASE_URL, else the placeholder.
    base_url: str = ""
    # Leave out a notice that cannot be read (--skip-broken); its previous rows are kept, marked stale.
    skip_broken: bool = False
    parallel_steps: bool = False
    use_parse_cache: bool = True
    _run_id: str = PrivateAttr(default="adhoc")
    _repairs: list = PrivateAttr(default_factory=list)
    _damage: list = PrivateAttr(default_factory=list)
    _shard_context: tuple | None = PrivateAttr(default=None)
    _live: object = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        self._run_id = context.run.run_id if context.run else "adhoc"
        self._live = live_runs(context.instance, self._run_id)
        check_outputs(Path(self.outputs_dir))
        with ExitStack() as stack:
            # The staging folder's lock says this run is alive to any clean-up, whichever
            # instance started it; held as long as this process serves the run.
            try:
                stack.enter_context(hold_staging(self.staging))
            except OSError as error:
                raise PlanDataError(f"cannot create the staging folder: {error.strerror or reason(error)}",
                                    file=str(self.staging)) from None
            if self.parallel_steps:
                yield self  # staging is shared by the run's step processes; the release step removes it
                return
            repairs = stack.enter_context(build_lock(Path(self.outputs_dir), self.lock_wait_seconds, keep=self._live,
                                                     pages=write_outputs_index))
            self._took_lock(repairs)
            try:
                yield self
            finally:
                # Published staging was renamed away; anything left is a failed build's.
                remove_tree(self.staging)

    def _took_lock(self, repairs) -> None:
        self._repairs = list(repairs)
        self._damage = list(getattr(repairs, "damage", []))
        for repair in self._repairs:
            self.step(f"Repaired: {repair}")
        for line in self._damage:
            self.step(f"Damaged: {line}")

    @contextmanager
    def publishing(self):
        """The lock around publishing, when the run does not hold it throughout."""
        if not self.parallel_steps:
            yield
            return
        try:
            with build_lock(Path(self.outputs_dir), self.lock_wait_seconds, keep=self._live,
                            pages=write_outputs_index) as repairs:
                self._took_lock(repairs)
                yield
        finally:
            remove_tree(self.staging)

    @property
    def shard_store(self) -> ShardStore:
        return ShardStore(Path(self.outputs_dir) / SHARD_DIR)

    def shard_tables(self, manifests: list[dict]) -> dict[str, pa.Table]:
        """The whole per-notice tables, from the rows the shards kept in the store, in shard order."""
        return assemble_notice_tables(self.shard_store.load([m["key"] for m in manifests if m["key"]]))

    @property
    def staging(self) -> Path:
        return staging_path(Path(self.outputs_dir), self._run_id)

    def step(self, message: str) -> None:
        step(message, self.show_progress)

    @property
    def settings(self) -> Settings:
        """sources/plandata.json, read afresh: a sensor's process builds many times."""
        return read_settings(Path(self.sources_dir))

    @property
    def resolved_base_url(self) -> str:
        settings = self.settings
        return resolve_base_url(self.base_url or None, settings["base_url"], str(settings.path))

    @property
    def homepage(self) -> str | None:
        """The base URL as datapackage.json's homepage, unless it is still the placeholder."""
        return None if self.resolved_base_url == DEFAULT_BASE_URL else self.resolved_base_url

    def previous(self) -> Previous:
        outputs = Path(self.outputs_dir)
        base = change_base(outputs) if (outputs / "releases").is_dir() else None
        return Previous(releases_dir(outputs) / base if base else None, reusable=not damaged_files(outputs, base))

    def shard_context(self) -> tuple[ShardContext, list]:
        """The registry, the cache, the previous release and every notice's id: read once per
        process (a run in one process reads the sources directory once for its 16 shards)."""
        if self._shard_context is None:
            self._shard_context = self._read_shard_context()
        return self._shard_context

    def _read_shard_context(self) -> tuple[ShardContext, list]:
        sources = Path(self.sources_dir)
        registry_files = read_registry_files(sources)
        cache = ParseCache(Path(self.outputs_dir) / CACHE_DIR if self.use_parse_cache else None)
        context = ShardContext(self.staging, read_registry(registry_files), registry_key(registry_files), cache,
                               self.previous(), self.shard_store, self.skip_broken)
        return context, identify(list_notices(sources, keep_problems=self.skip_broken))


def live_runs(instance, own_run_id: str):
    """keep(staging path) for the lock's clean-up: this run's staging, and any other run's that the
    Dagster instance says has not finished (its steps may be writing there between two locks)."""
    def keep(path: Path) -> bool:
        run_id = path.name.removeprefix(STAGING_PREFIX)
        if run_id == own_run_id:
            return True
        try:
            run = instance.get_run_by_id(run_id) if instance is not None else None
        except Exception:  # an instance that cannot answer: the directory is treated as a leftover
            return False
        return run is not None and not run.is_finished
    return keep


def column_schema(spec: TableSpec) -> dg.TableSchema:
    return dg.TableSchema(columns=[
        dg.TableColumn(
            name=field["name"], type=field["type"],
            description=f"{field['title_zh']} / {field['title']}: {field['description']}",
            constraints=dg.TableColumnConstraints(
                nullable=not field.get("constraints", {}).get("required", False)),
        ) for field in spec.fields
    ])


def _shard_asset(shard: str) -> dg.AssetsDefinition:
    @dg.asset(name=f"shard_{shard}", deps=[sources_key(shard), REGISTRY_SOURCES], group_name="shards",
              kinds={"parquet", "csv", "json"},
              code_version=f"{code_version('parser')}-{code_version('files')}",
              description=f"The notices whose doc_id hashes to shard {shard}: parsed (or read from the parse "
                          "cache), written and checked, or hard-linked from the previous release when unchanged.")
    def shard_asset(plan_build: PlanBuild) -> dg.Output:
        context, notices = plan_build.shard_context()
        mine = [notice for notice in notices if notice.shard == shard]
        plan_build.staging.mkdir(parents=True, exist_ok=True)
        hits, misses = context.cache.hits, context.cache.misses
        manifest = build_shard(shard, mine, context)
        if mine:
            done = ("unchanged, files linked from the previous release" if manifest["linked"] else
                    f"{context.cache.hits - hits} read from the parse cache, files written")
            plan_build.step(f"Shard {shard}: {len(mine)} notice(s), {done}")
        return dg.Output(manifest, metadata={
            "notices": len(manifest["docs"]), "linked_from_previous_release": manifest["linked"],
            "parse_cache_hits": context.cache.hits - hits, "parse_cache_misses": context.cache.misses - misses,
            "files": len(manifest["files"]),
            "errors": len(manifest["errors"]), "skipped": len(manifest["skipped"])})

    return shard_asset


SHARD_ASSETS = [_shard_asset(shard) for shard in SHARDS]
_SHARD_INS = {f"shard_{shard}": dg.AssetIn(f"shard_{shard}") for shard in SHARDS}


@dg.asset(deps=[REGISTRY_SOURCES], group_name="shards", kinds={"csv"}, code_version=code_version("files"))
def unit_registry(plan_build: PlanBuild) -> dg.Output:
    """The unit registry's tables (units, unit_aliases), written whole."""
    registry_files = read_registry_files(Path(plan_build.sources_dir))
    tables = registry_tables(read_registry(registry_files), registry_files)
    plan_build.staging.mkdir(parents=True, exist_ok=True)
    resources, files = write_registry_files(plan_build.staging, tables)
    return dg.Output({"resources": resources, "files": files, "sources": registry_sources(tables)},
                     metadata={f"rows/{name}": table.num_rows for name, table in tables.items()})


def _preview(spec: TableSpec, table: pa.Table) -> str:
    rows = table.slice(0, PREVIEW_ROWS).to_pylist()
    return markdown_table(spec.columns, [[row.get(column) for column in spec.columns] for row in rows])


@dg.multi_asset(
    outs={name: dg.AssetOut(description=f"{spec.descriptor['title_zh']} / {spec.descriptor['description']}",
                            kinds={"parquet"}, group_name="tables", code_version=code_version("files"),
                            metadata={"dagster/column_schema": column_schema(spec)})
          for name, spec in SPECS.items()},
    ins={**_SHARD_INS, "unit_registry": dg.AssetIn("unit_registry")},
    can_subset=False,
)
def notice_tables(plan_build: PlanBuild, unit_registry: dict, **shards: dict):
    """Every table as the shards kept it (the registry's as written): row count, schema and a preview."""
    manifests = [shards[f"shard_{shard}"] for shard in SHARDS]
    errors = [error for manifest in manifests for error in manifest.get("errors", [])]
    tables = plan_build.shard_tables(manifests)
    for name, spec in SPECS.items():
        table = tables[name] if name in tables else pq.read_table(
            plan_build.staging / next(r["path"] for r in unit_registry["resources"]
                                      if r["table"] == name and r["format"] == "parquet"))
        metadata = {"dagster/row_count": table.num_rows, "dagster/column_schema": column_schema(spec),
                    "preview": dg.MetadataValue.md(_preview(spec, table))}
        value = {"rows": table.num_rows}
        if name == "findings":
            value["errors"] = errors
            metadata.update(findings_metadata(table))
        yield dg.Output(value, output_name=name, metadata=metadata)


def findings_metadata(table: pa.Table) -> dict:
    """Counts by severity and by kind, so that the asset page shows what the text got wrong."""
    metadata: dict = {}
    for column, prefix in (("severity", "severity"), ("kind", "kind")):
        for value in table.column(column).to_pylist():
            key = f"{prefix}/{value}"
            metadata[key] = metadata.get(key, 0) + 1
    return dict(sorted(metadata.items()))


@dg.asset_check(asset="findings", blocking=True,
                description="No finding of error severity: an error stops publishing (unless --skip-broken "
                            "leaves its notice out).")
def no_error_findings(findings: dict) -> dg.AssetCheckResult:
    errors = [f"{e['file']}" + (f":{e['line']}" if e["line"] else "") + f": {e['message']}" for e in findings["errors"]]
    return dg.AssetCheckResult(passed=not errors, description=errors[0] if errors else "no error findings",
                               metadata={"errors": len(errors)})


@dg.asset(ins={**_SHARD_INS, "unit_registry": dg.AssetIn("unit_registry")}, deps=list(SPECS),
          kinds={"json"}, group_name="release", code_version=code_version("files"))
def release_files(plan_build: PlanBuild, unit_registry: dict, **shards: dict) -> dg.Output:
    """datapackage.json over every shard's files and the registry's, in staging."""
    plan_build.step("Writing the tables' files, the zips and datapackage.json")
    manifests = [shards[f"shard_{shard}"] for shard in SHARDS]
    resources = unit_registry["resources"] + write_notice_files(plan_build.staging, plan_build.shard_tables(manifests))[0]
    write_downloads(plan_build.staging)
    notices = [source for manifest in manifests for source in manifest["sources"]]
    settings = plan_build.settings
    descriptor = build_descriptor(resources, notices, unit_registry["sources"], plan_build.homepage,
                                  settings.values)
    write_descriptor(plan_build.staging, descriptor)
    summary = {"settings": settings.sha256,"shards": {manifest["shard"]: manifest for manifest in manifests if manifest["key"]},
               "skipped": [item for manifest in manifests for item in manifest["skipped"]],
               "unread": unread_files(Path(plan_build.sources_dir)),
               "checked": []}
    return dg.Output(summary, metadata={"version": descriptor["version"], "resources": len(descriptor["resources"]),
                                        "settings": missing_line(settings) or str(settings.path),
                                        "linked_shards": sum(m["linked"] for m in summary["shards"].values())})


@dg.asset_check(asset=release_files, blocking=True,
                description="datapackage.json is valid, every file matches its sha256, every row of every "
                            "CSV, JSON and Parquet file passes the checks compiled from schemas/ (each shard's "
                            "when it was written), keys hold across the whole release (and Frictionless's own "
                            "row validation while the release is small).")
def release_files_valid(plan_build: PlanBuild, release_files: dict) -> dg.AssetCheckResult:
    plan_build.step("Validating the release files (compiled checks and Frictionless)")
    verdict = verify_release_files(plan_build.staging, checked=frozenset(release_files["checked"]))
    errors = verdict.errors
    return dg.AssetCheckResult(passed=not errors, description=errors[0] if errors else "valid",
                               metadata={"errors": len(errors), "rows": verdict.rows,
                                         "frictionless_rows": verdict.frictionless_rows})


def before_release(plan_build: PlanBuild) -> None:
    """A pause point between release_files and release (the end of plan_database, before the release
    step loads its inputs): tests replace it to run another build there."""


@dg.asset(deps=[release_files], kinds={"duckdb"}, group_name="release", code_version=code_version("database"))
def plan_database(plan_build: PlanBuild) -> dg.MaterializeResult:
    """plan.duckdb with every table, its primary and foreign keys, checks and comments."""
    plan_build.step("Loading tables into DuckDB (keys enforced)")
    tables = read_tables(plan_build.staging)
    path = write_plan_database(plan_build.staging, tables)
    before_release(plan_build)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size,
                                          **{f"rows/{n}": t.num_rows for n, t in tables.items()}})


@dg.asset(ins={"release_files": dg.AssetIn("release_files")}, deps=[plan_database, "findings"],
          group_name="release", code_version=code_version("site"))
def release(plan_build: PlanBuild, release_files: dict) -> dg.MaterializeResult:
    """Change log, quality report, pages and checksums; then move staging into releases/ and switch latest."""
    plan_build.step("Writing the change log, quality report, pages and checksums")
    with plan_build.publishing():
        published = finalize(Path(plan_build.outputs_dir), plan_build.staging, plan_build.resolved_base_url,
                             release_files)
    plan_build.step(("Published new release " if published.new else "Unchanged since release ")
                    + published.release_id)
    return dg.MaterializeResult(metadata={"release_id": published.release_id, "new": published.new,
                                          "path": str(published.path),
                                          "repairs": dg.MetadataValue.json(list(plan_build._repairs)),
                                          "damage": dg.MetadataValue.json(list(plan_build._damage)),
                                          "skipped": dg.MetadataValue.json(release_files["skipped"]),
                                          "unread": dg.MetadataValue.json(release_files.get("unread", []))})
