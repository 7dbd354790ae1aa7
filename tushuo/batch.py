"""Render many specs, or one template over many data rows, in parallel.

What a batch does, in order:

1. Make one *job* per input: a spec file, or a row of a CSV (or YAML/JSON list)
   filling a template. Each job gets a safe, unique output name inside the output
   folder and a fingerprint of everything its picture depends on (the files, the
   data, the output options, the tushuo version).
2. Skip jobs whose fingerprint matches the last run's and whose outputs still
   exist ("skipped, unchanged"), unless ``force``.
3. Run the rest on an executor: a process pool by default, or any
   ``concurrent.futures.Executor`` you pass, e.g. a Dask cluster's::

       from dask.distributed import Client
       client = Client("tcp://scheduler:8786")
       report = render_many(specs, "out/", executor=client.get_executor(pure=False))

   The worker function is the top-level :func:`render_job`, so jobs pickle; on a
   cluster every worker must see the spec files and the output folder at the same
   paths (a shared file system). ``pure=False`` stops Dask from reusing an earlier
   result for an identical job (a ``force`` re-run).
4. Write ``report.json`` (per input: status, outputs and sizes, seconds, error)
   and ``.tushuo-cache.json`` (fingerprints) into the output folder.

A failing input never stops the others; the report's ``exit_code`` is 0 when all
succeeded, 2 when one had bad input, 1 when one hit an internal failure.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import io
import json
import os
import re
import sys
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .deps import dependencies, fingerprint, rebase
from .errors import SpecError
from .humanize import human_size  # noqa: F401  (re-exported: batch.human_size)

RENDERED, SKIPPED, FAILED = "rendered", "skipped", "failed"
REPORT_NAME = "report.json"
CACHE_NAME = ".tushuo-cache.json"

#: Output suffix per format.
SUFFIX = {"png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "webp": ".webp", "pdf": ".pdf", "svg": ".svg"}


# --------------------------------------------------------------------------- jobs and results
@dataclass
class Job:
    """One picture to make. Plain data, so it pickles to a process or a cluster worker."""

    name: str
    input: str
    out: str
    spec: str | None = None
    template: str | None = None
    data: dict[str, Any] | None = None
    data_file: str | None = None
    base_dir: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    key: str = ""


@dataclass
class ItemResult:
    """What happened to one input."""

    input: str
    name: str
    status: str
    outputs: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    error_kind: str | None = None  # "input" (bad spec or data) or "internal"
    traceback: str | None = None

    @property
    def bytes(self) -> int:
        return sum(o.get("bytes", 0) for o in self.outputs)


@dataclass
class BatchReport:
    """All results of a batch, in input order, with counts, exit code and a summary."""

    out_dir: str
    items: list[ItemResult]
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def ok(self) -> bool:
        return all(i.status != FAILED for i in self.items)

    @property
    def exit_code(self) -> int:
        """0 all done; 1 an internal failure; 2 bad input (and no internal failure)."""
        kinds = {i.error_kind for i in self.items if i.status == FAILED}
        if not kinds:
            return 0
        return 1 if "internal" in kinds else 2

    def to_dict(self) -> dict[str, Any]:
        from . import __version__

        return {
            "tushuo": __version__,
            "out_dir": self.out_dir,
            "seconds": round(self.seconds, 3),
            "counts": {s: self.count(s) for s in (RENDERED, SKIPPED, FAILED)},
            "items": [
                {k: v for k, v in asdict(i).items() if v is not None} for i in self.items
            ],
        }

    def summary_lines(self) -> list[tuple[bool, str]]:
        """(is_failure, line) for people: one per input, then the totals."""
        lines: list[tuple[bool, str]] = []
        for i in self.items:
            if i.status == RENDERED:
                outs = ", ".join(f"{_rel(o['path'])} ({human_size(o['bytes'])})" for o in i.outputs)
                lines.append((False, f"rendered  {i.input} -> {outs}  [{i.seconds:.1f}s]"))
            elif i.status == SKIPPED:
                lines.append((False, f"skipped, unchanged  {i.input}"))
            else:
                msg = (i.error or "").replace("\n", "\n    ")
                lines.append((True, f"FAILED    {i.input}\n    {msg}"))
        n_r, n_s, n_f = self.count(RENDERED), self.count(SKIPPED), self.count(FAILED)
        total = sum(i.bytes for i in self.items if i.status == RENDERED)
        totals = (
            f"{len(self.items)} inputs: {n_r} rendered ({human_size(total)}), "
            f"{n_s} skipped (unchanged), {n_f} failed  in {self.seconds:.1f}s"
        )
        lines.append((False, totals))
        return lines

    def summary(self) -> str:
        return "\n".join(line for _, line in self.summary_lines())


def _rel(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


# --------------------------------------------------------------------------- the worker
def render_job(job: Job) -> ItemResult:
    """Load and render one job. Top-level and exception-proof, so any executor can run it."""
    t0 = time.perf_counter()
    try:
        doc = _load_job(job)
        from .api import render

        Path(job.out).parent.mkdir(parents=True, exist_ok=True)
        paths = render(doc, job.out, **job.options)
        outputs = [{"path": str(p), "bytes": Path(p).stat().st_size} for p in paths]
        return ItemResult(job.input, job.name, RENDERED, outputs, time.perf_counter() - t0)
    except SpecError as exc:
        return ItemResult(
            job.input, job.name, FAILED, seconds=time.perf_counter() - t0,
            error=exc.format(), error_kind="input",
        )
    except Exception as exc:  # noqa: BLE001 - reported per input, the batch goes on
        return ItemResult(
            job.input, job.name, FAILED, seconds=time.perf_counter() - t0,
            error=f"internal error: {type(exc).__name__}: {exc}", error_kind="internal",
            traceback=traceback.format_exc(),
        )


def _load_job(job: Job) -> Any:
    from .api import load

    data = job.data
    if job.data_file is not None:
        from .loader import load_data_file

        data = load_data_file(job.data_file)
    if job.spec is not None:
        return load(job.spec, data=data)
    # A template row: file names in the row are relative to the data file's folder,
    # which becomes a sandbox root (the template's own folder stays the base).
    base = Path(job.base_dir) if job.base_dir else None
    row = rebase(data, base) if base is not None else data
    return load(job.template, data=row, roots=(base,) if base is not None else ())


# --------------------------------------------------------------------------- names
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_UNSAFE = re.compile(r'[\\/:*?"<>|]+')
_MAX_NAME_BYTES = 150


def safe_name(text: Any, fallback: str) -> str:
    """A file name from user text that cannot leave the output folder.

    Path separators, ``..``, control and format characters, characters Windows
    forbids and its reserved device names are removed or replaced; Chinese and
    other letters stay. Empty results give ``fallback``.
    """
    s = unicodedata.normalize("NFC", str(text if text is not None else ""))
    s = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in s)
    s = _UNSAFE.sub("_", s)
    s = re.sub(r"\.{2,}", "_", s)
    s = re.sub(r"_[_.]*", "_", s)
    s = re.sub(r"\s+", " ", s).strip(" ._")
    if _RESERVED.match(s):
        s = "_" + s
    while len(s.encode("utf-8")) > _MAX_NAME_BYTES:
        s = s[:-1]
    s = s.rstrip(" .")
    return s or fallback


_SLICE_NUMBER = re.compile(r"-(\d{2,})$")


def _unique(names: Iterable[str]) -> list[str]:
    """Make names unique case-insensitively: 张三, 张三-2, 张三-3.

    A name that another job's slices could take (``b-05`` beside ``b``, whose slices are
    ``b-01`` …) counts as taken too, so no job writes over another's slice, whatever order
    the jobs finish in.
    """
    names = list(names)
    bases = {n.casefold() for n in names}
    seen: set[str] = set()
    out = []
    for n in names:
        cand, k = n, 1
        while cand.casefold() in seen or _slice_of_another(cand, bases):
            k += 1
            cand = f"{n}-{k}"
        seen.add(cand.casefold())
        out.append(cand)
    return out


def _slice_of_another(name: str, bases: set[str]) -> bool:
    m = _SLICE_NUMBER.search(name)
    return m is not None and name[: m.start()].casefold() in bases


# --------------------------------------------------------------------------- data rows
def read_rows(path: str | Path, sheet: str | int | None = None) -> list[tuple[int, dict[str, Any]]]:  # noqa: C901  (one pass over the rows, each case a few lines)
    """Rows of a CSV (UTF-8 with or without BOM, GB18030/GBK as Excel saves it in China, UTF-16),
    of an Excel workbook's ``sheet`` (cells as Excel shows them), or of a YAML/JSON file
    holding a list of mappings, as ``(line, row)`` pairs (a workbook's row numbers).

    Header names are trimmed; an empty CSV cell becomes None (no value, so an optional
    field such as a portrait is left out). Fully empty lines are skipped.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from .workbook import sheet_rows

        return sheet_rows(path, str(path), sheet)
    if sheet is not None:
        raise SpecError("--sheet goes with an Excel workbook (.xlsx); this data file is not one", file=str(path))
    if path.suffix.lower() != ".csv":
        from .loader import load_data_file

        data = load_data_file(path, rows=True)
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise SpecError("expected a list of mappings (one per output)", file=str(path))
        return [(i + 1, r) for i, r in enumerate(data)]
    from .data import _delimiter, decode

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read data file: {exc.strerror or exc}", file=str(path)) from None
    text = decode(raw, str(path)).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                while header and not header[-1]:  # spreadsheets pad rows with empty cells
                    header.pop()
                dupes = sorted({h for h in header if header.count(h) > 1})
                if dupes:
                    raise SpecError(f"repeated column name(s): {', '.join(dupes)}", file=str(path), line=line)
                if "" in header:
                    col = header.index("") + 1
                    raise SpecError("this column has no name in the header row", file=str(path), line=line, col=col)
                continue
            while len(cells) > len(header) and not cells[-1].strip():
                cells = cells[:-1]
            if len(cells) > len(header):
                raise SpecError(
                    f"{len(cells)} cells for {len(header)} columns ({', '.join(header)})", file=str(path), line=line
                )
            cells = cells + [""] * (len(header) - len(cells))
            rows.append((line, {h: (c.strip() or None) for h, c in zip(header, cells)}))
    except csv.Error as exc:
        raise SpecError(f"not valid CSV: {exc}", file=str(path), line=reader.line_num) from None
    if header is None:
        raise SpecError("the CSV is empty (expected a header row and one row per output)", file=str(path))
    return rows


# --------------------------------------------------------------------------- making jobs
def _output_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


def _suffix(options: dict[str, Any], spec_format: str | None = None) -> str:
    fmt = options.get("format") or spec_format or "png"
    return SUFFIX.get(str(fmt).lower(), ".png")


def _spec_format(path: Path) -> str | None:
    """The ``output.format`` a spec asks for (peeked at through the gate, before loading), if any."""
    from .assets import resolve_path
    from .loader import read_tree
    from .templates import template_file

    try:
        tree = read_tree(path)
        fmt = tree.get("output", {}).get("format")
        if fmt is None and isinstance(tree.get("extends"), str):
            ext = tree["extends"]
            is_name = not any(c in ext for c in "/\\") and Path(ext).suffix.lower() not in (".yaml", ".yml", ".json")
            # a template name, or a path sandboxed like the loader's (never template_file's cwd lookup)
            tpath = template_file(ext) if is_name else resolve_path(ext, path.parent.resolve())
            fmt = (read_tree(tpath) or {}).get("output", {}).get("format")
        return fmt if isinstance(fmt, str) else None
    except Exception:  # noqa: BLE001 - a broken spec is reported when it is loaded
        return None


def _version_key(options: dict[str, Any], data: Any = None) -> dict[str, Any]:
    from . import __version__

    return {"tushuo": __version__, "options": options, "data": data}


def spec_jobs(
    specs: Sequence[str | Path], out_dir: str | Path, *, data_file: str | Path | None = None,
    sheet: str | int | None = None, **options: Any
) -> list[Job]:
    """One job per spec file; outputs are named after the spec (``a.yaml`` → ``a.png``).

    A workbook ``data_file`` (its ``sheet``) is read once here: its one row fills every spec.
    """
    out_dir = Path(out_dir)
    opts = _output_options(options)
    data: dict[str, Any] | None = None
    if data_file is not None and (sheet is not None or Path(data_file).suffix.lower() in (".xlsx", ".xlsm", ".xls")):
        from .loader import load_data_file

        data = load_data_file(data_file, sheet=sheet)
    paths = [Path(s) for s in specs]
    names = _unique(safe_name(p.stem, f"spec-{i + 1}") for i, p in enumerate(paths))
    jobs = []
    for p, name in zip(paths, names):
        suffix = _suffix(opts, _spec_format(p))
        deps = dependencies(p, data_file=data_file,
                            names=[opts["theme"]] if isinstance(opts.get("theme"), str) else [])
        jobs.append(
            Job(
                name=name, input=str(p), out=str(out_dir / f"{name}{suffix}"), spec=str(p), data=data,
                data_file=str(data_file) if data_file and data is None else None, options=opts,
                key=fingerprint(deps, _version_key(opts, data)),
            )
        )
    return jobs


def row_jobs(
    template: str | Path,
    rows_file: str | Path,
    out_dir: str | Path,
    *,
    name_column: str | None = None,
    sheet: str | int | None = None,
    **options: Any,
) -> list[Job]:
    """One job per data row filling ``template`` (a ready name or a file); ``sheet`` picks a workbook's sheet.

    Outputs are named by ``name_column`` (made safe, made unique) or by the row's
    number: ``pledge-card-001.png``.
    """
    from .templates import template_file

    tpath = template_file(template).resolve()
    rows_file = Path(rows_file)
    rows = read_rows(rows_file, sheet)
    if not rows:
        raise SpecError("no data rows (only a header?)", file=str(rows_file))
    if name_column is not None and name_column not in rows[0][1]:
        cols = ", ".join(rows[0][1])
        raise SpecError(f"--name-column '{name_column}' is not a column (columns: {cols})", file=str(rows_file))
    out_dir = Path(out_dir)
    opts = _output_options(options)
    suffix = _suffix(opts, _spec_format(tpath))
    width = max(3, len(str(len(rows))))
    fallback = [f"{tpath.stem}-{i + 1:0{width}d}" for i in range(len(rows))]
    if name_column is None:
        names = fallback
    else:
        names = _unique(safe_name(r[name_column], fallback[i]) for i, (_, r) in enumerate(rows))
    base = rows_file.resolve().parent
    jobs = []
    for (line, row), name in zip(rows, names):
        deps = dependencies(tpath, data=row, data_base=base,
                            names=[opts["theme"]] if isinstance(opts.get("theme"), str) else [])
        jobs.append(
            Job(
                name=name, input=f"{rows_file}:{line}", out=str(out_dir / f"{name}{suffix}"),
                template=str(tpath), data=row, base_dir=str(base), options=opts,
                key=fingerprint(deps, _version_key(opts, row)),
            )
        )
    return jobs


# --------------------------------------------------------------------------- running
def _read_cache(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / CACHE_NAME).read_text(encoding="utf-8"))
        return data.get("items", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: Any) -> None:
    """Through a fresh temporary (mkstemp: never follows a planted symlink), renamed into place."""
    from .atomic import write_atomic

    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "surrogatepass"))


def _cached(job: Job, cache: dict[str, Any], out_dir: Path) -> ItemResult | None:
    entry = cache.get(job.name)
    if not entry or entry.get("key") != job.key:
        return None
    outputs = []
    for rel in entry.get("outputs", []):
        p = out_dir / rel
        try:
            outputs.append({"path": str(p), "bytes": p.stat().st_size})
        except OSError:
            return None  # an output was deleted: make it again
    if not outputs:
        return None
    return ItemResult(job.input, job.name, SKIPPED, outputs)


def _mp_context() -> Any:
    """Worker processes forked from a clean server process, not from this one.

    Forking the caller directly is unsafe once it runs threads (a progress bar's
    monitor, a Dask client, a GUI): a lock held by another thread stays locked in
    the child forever. The fork server starts clean, imports tushuo once, and forks
    each worker from there, so workers start fast and safe. Where there is no fork
    server (Windows, macOS default), the platform's default is used.
    """
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():
        return None
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["tushuo.batch", "tushuo.api", "tushuo.loader", "tushuo.pipeline"])
    return ctx


def _die_with(parent: int) -> None:
    """Worker initializer: exit when the batch's process is gone (``kill -9`` of the batch).

    Workers are forked from the fork server, not from the batch, so the kernel's
    parent-death signal would watch the wrong process; a daemon thread checks the
    batch's pid once a second instead.
    """
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass

    threading.Thread(target=watch, name="tushuo-parent-watch", daemon=True).start()


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_jobs(  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    jobs: Sequence[Job],
    out_dir: str | Path,
    *,
    executor: cf.Executor | None = None,
    max_workers: int | None = None,
    force: bool = False,
    progress: bool | None = None,
    on_result: Callable[[ItemResult], None] | None = None,
) -> BatchReport:
    """Run jobs (skipping unchanged ones), then write report.json and the cache.

    ``executor``: any concurrent.futures.Executor (it is not shut down here). Without
    one, a process pool of ``max_workers`` (default: the CPU count) is used, or the
    jobs run in this process when there is one worker or one job. ``progress``: a
    progress bar on stderr (default: when stderr is a terminal).
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = {} if force else _read_cache(out_dir)
    results: list[ItemResult | None] = [None] * len(jobs)
    todo: list[int] = []
    for i, job in enumerate(jobs):
        hit = None if force else _cached(job, cache, out_dir)
        if hit is not None:
            results[i] = hit
        else:
            todo.append(i)

    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm import tqdm

    bar = tqdm(
        total=len(jobs), initial=len(jobs) - len(todo), disable=not progress, file=sys.stderr,
        unit="item", desc="tushuo batch", dynamic_ncols=True, leave=True,
    )

    def done(i: int, result: ItemResult) -> None:
        results[i] = result
        bar.update(1)
        if result.status == FAILED:
            bar.set_postfix(failed=sum(1 for r in results if r is not None and r.status == FAILED))
        if on_result is not None:
            on_result(result)

    workers = max_workers or default_jobs()
    try:
        if todo and executor is None and (workers <= 1 or len(todo) == 1):
            for i in todo:
                done(i, render_job(jobs[i]))
        elif todo:
            own = executor is None
            ex = executor or cf.ProcessPoolExecutor(
                max_workers=min(workers, len(todo)), mp_context=_mp_context(),
                initializer=_die_with, initargs=(os.getpid(),),
            )
            try:
                futures = {ex.submit(render_job, jobs[i]): i for i in todo}
                for fut in cf.as_completed(futures):
                    i = futures[fut]
                    try:
                        result = fut.result()
                    except BaseException as exc:  # noqa: BLE001 - a worker died; report it, go on
                        result = ItemResult(
                            jobs[i].input, jobs[i].name, FAILED,
                            error=f"internal error: the worker failed: {type(exc).__name__}: {exc}",
                            error_kind="internal",
                            traceback="".join(traceback.format_exception(exc)),
                        )
                    done(i, result)
            finally:
                if own:
                    ex.shutdown(wait=True, cancel_futures=True)
    finally:
        bar.close()

    items = [r for r in results if r is not None]
    report = BatchReport(str(out_dir), items, time.perf_counter() - t0)
    new_cache = _read_cache(out_dir)
    for job, r in zip(jobs, items):
        if r.status == RENDERED:
            new_cache[job.name] = {
                "key": job.key, "input": job.input,
                "outputs": [os.path.relpath(o["path"], out_dir) for o in r.outputs],
            }
        elif r.status == FAILED:
            new_cache.pop(job.name, None)
    _write_json(out_dir / CACHE_NAME, {"version": 1, "items": new_cache})
    _write_json(out_dir / REPORT_NAME, report.to_dict())
    return report


def render_many(
    specs: Sequence[str | Path],
    out_dir: str | Path,
    executor: cf.Executor | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: bool | None = False,
    data_file: str | Path | None = None,
    **options: Any,
) -> BatchReport:
    """Render spec files into ``out_dir`` in parallel; see the module docstring.

    ``options`` are render options (format, width, theme, quality, max_bytes,
    slice_height, page_size, allow_missing_glyphs). ``executor`` may be any
    concurrent.futures.Executor, e.g. ``dask_client.get_executor(pure=False)`` for
    a cluster. Never raises for a bad spec: look at the report.
    """
    job_list = spec_jobs(specs, out_dir, data_file=data_file, **options)
    return run_jobs(job_list, out_dir, executor=executor, max_workers=jobs, force=force, progress=progress)


def render_rows(
    template: str | Path,
    rows_file: str | Path,
    out_dir: str | Path,
    executor: cf.Executor | None = None,
    *,
    name_column: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool | None = False,
    **options: Any,
) -> BatchReport:
    """One output per row of ``rows_file`` (CSV, or a YAML/JSON list) filling ``template``.

    Raises SpecError when the rows file itself is unusable (nothing can be rendered).
    """
    job_list = row_jobs(template, rows_file, out_dir, name_column=name_column, **options)
    return run_jobs(job_list, out_dir, executor=executor, max_workers=jobs, force=force, progress=progress)
