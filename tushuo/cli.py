"""The ``tushuo`` command: render, batch, check, schema, templates, new, watch.

Exit codes (fixed by the spec contract): 0 done; 2 bad input (a spec, data file,
option or usage) with a located message and no traceback; 1 an internal failure
(a short message asking for a report; the traceback with --debug or TUSHUO_DEBUG=1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .errors import SpecError, TushuoError
from .runspec import SUFFIX, default_output, load_data, render_spec, resolve_output  # noqa: F401  (the command's steps)
from .runspec import describe_output as _describe
from .runspec import existing_file as _existing
from .runspec import say_error as _err
from .schema import json_schema

FORMATS = ("png", "jpeg", "jpg", "webp", "pdf", "svg")
class UsageError(SpecError):
    """A bad combination of options (exit 2, like argparse's own usage errors)."""


# --------------------------------------------------------------------------- output helpers
def _say(line: str) -> None:
    print(line, flush=True)


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"{v} is negative")
    return v


def _at_least_one(text: str) -> int:
    v = _positive(text)
    if v < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return v


def _quality(text: str) -> int:
    v = _positive(text)
    if not 1 <= v <= 100:
        raise argparse.ArgumentTypeError(f"{v} is not within 1–100")
    return v


# --------------------------------------------------------------------------- parser
_MAIN_EPILOG = """\
examples:
  tushuo render handbook.yaml                    # → handbook.png beside the spec
  tushuo render handbook.yaml -o 手册.pdf         # a pocket PDF manual
  tushuo render digest.yaml --slice-height 1920 -o out/   # numbered slices for WeChat
  tushuo batch examples/monthly/*.yaml -o out/   # many specs, in parallel, with a report
  tushuo batch --template pledge-card --data pledges.csv -o cards/
  tushuo check handbook.yaml                     # validate without writing anything
  tushuo templates && tushuo new monthly-digest -o 十一月.yaml
  tushuo watch handbook.yaml                     # re-render on every save
  tushuo serve specs/                            # edit in the browser with a live preview

Exit codes: 0 done, 2 bad input (the message names file:line:col), 1 internal failure.
Set TUSHUO_DEBUG=1 (or pass --debug) to see a traceback of an internal failure.
"""

_RENDER_EPILOG = """\
The format follows -o's suffix (.png .jpg .webp .pdf .svg), else --format, else the
spec's output.format, else PNG. Without -o the output goes beside the spec with the
format's suffix (handbook.yaml → handbook.png). -o DIR/ (or --slice-height) writes
numbered slices cut between blocks or lines, never through a line of text.

examples:
  tushuo render handbook.yaml
  tushuo render handbook.yaml -o out/handbook.jpg --quality 85 --max-bytes 2000000
  tushuo render handbook.yaml --format pdf --page-size A5
  tushuo render digest.yaml --width 750 --theme gov-blue
  tushuo render monthly-digest.yaml --data 十一月.yaml    # data fills the {{slots}}
"""

_BATCH_EPILOG = """\
Outputs are named after the specs (a.yaml → DIR/a.png) or, with --template, after
the --name-column of each row (made safe for file names; Chinese is kept) or the
row number. DIR/report.json records every input: status (rendered, skipped,
failed), outputs and sizes, seconds, error. An input whose spec, data, template,
theme and options are unchanged since the last run is skipped ("skipped,
unchanged"); --force renders everything again. A failing input does not stop the
others; the exit code is 0 only when all succeeded (2: bad input, 1: internal).

examples:
  tushuo batch examples/monthly/*.yaml -o out/monthly --jobs 2
  tushuo batch --template pledge-card --data examples/pledges.csv -o out/cards --name-column 姓名
  tushuo batch a.yaml b.yaml -o out/ --format pdf --force
"""

_CHECK_EPILOG = """\
Loads and lays out each spec without writing anything and prints every problem
as FILE:LINE:COL: path.in.spec: message. Errors: what a render would fail on,
characters no font has, an image over WeChat's 10 MB. Warnings: body text under
30 px at 1080 wide, contrast under 4.5:1 (3:1 from 48 px), text cut to fit,
pictures enlarged over 1.5x, an image over 1 MB (estimated) or 20,000 px tall.
Exit 2 when a spec has an error, 1 with --strict when it has a warning, else 0.

examples:
  tushuo check handbook.yaml
  tushuo check examples/*.yaml --strict
"""

_SCHEMA_EPILOG = """\
Point your editor's YAML support at the schema for completion and checking, e.g.
the first line of a spec:  # yaml-language-server: $schema=docs/tushuo.schema.json

examples:
  tushuo schema > tushuo.schema.json
  tushuo schema -o docs/tushuo.schema.json
"""

_NEW_EPILOG = """\
The new spec says `extends: NAME` and holds the template's sample values (with
their comments), so it renders as it is; edit the values, keep the design. Pictures
the sample uses are copied beside it.

examples:
  tushuo templates
  tushuo new pledge-card -o 承诺卡.yaml && tushuo render 承诺卡.yaml
"""

_WATCH_EPILOG = """\
Renders once, then again whenever the spec, its data file, a picture or data file
it names, or its template is saved. Errors are printed and watching goes on.
Stop with Ctrl-C.

examples:
  tushuo watch handbook.yaml
  tushuo watch digest.yaml -o /tmp/preview.png --width 750
"""


def _add_render_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output options (override the spec's output: section)")
    g.add_argument("--format", choices=FORMATS, help="output format (default: from -o's suffix, else png)")
    g.add_argument("--width", type=_at_least_one, metavar="N", help="canvas width in px (default: the spec's, 1080)")
    g.add_argument("--theme", metavar="NAME", help="party-red, gov-blue, fresh-green, ink, or a theme file")
    g.add_argument("--slice-height", type=_positive, metavar="N",
                   help="cut the long image into slices at most N px tall (0: one image)")
    g.add_argument("--max-bytes", type=_at_least_one, metavar="N",
                   help="re-encode (JPEG/WebP quality, then size) until each file is at most N bytes")
    g.add_argument("--page-size", metavar="SIZE", help="PDF page: pocket, A6, A5, A4 or 'W x H' in mm")
    g.add_argument("--quality", type=_quality, metavar="Q", help="JPEG/WebP quality 1–100 (default 90)")
    g.add_argument("--allow-missing-glyphs", action="store_true", default=None,
                   help="draw characters no bundled font has as boxes instead of failing")
    g.add_argument("--script", choices=("hans", "hant", "hant-tw", "hant-hk"),
                   help="script of every drawn text: hans (as written), hant, hant-tw (Taiwan), hant-hk (Hong Kong)")
    g.add_argument("--describe", action="store_true", default=None,
                   help="also write NAME.md beside the output: the document in words, for readers who cannot see it")


def _add_debug(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument("--debug", action="store_true", default=default,
                   help="show the traceback of an internal failure (also TUSHUO_DEBUG=1)")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="tushuo",
        description="图说 tushuo: turn YAML/JSON specs into Chinese infographics "
        "(WeChat long images, pocket PDF manuals, SVG).",
        epilog=_MAIN_EPILOG, formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"tushuo {__version__}")
    _add_debug(parser, False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, epilog: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, epilog=epilog, formatter_class=fmt)
        _add_debug(p, argparse.SUPPRESS)
        return p

    p = command("render", "render one spec to PNG, JPEG, WebP, PDF or SVG", _RENDER_EPILOG)
    p.add_argument("spec", metavar="SPEC", help="the spec file (.yaml or .json)")
    p.add_argument("-o", "--out", metavar="OUT", help="output file, or a folder (ending in /) for slices")
    p.add_argument("--data", metavar="FILE",
                   help="YAML/JSON data (or an Excel sheet: header row, one row of values) for the {{slots}}")
    p.add_argument("--sheet", metavar="NAME", help="with an Excel --data file: the sheet (name, or number from 1)")
    _add_render_options(p)
    p.set_defaults(func=cmd_render)

    p = command("batch", "render many specs (or a template over CSV rows) in parallel", _BATCH_EPILOG)
    p.add_argument("specs", metavar="SPEC", nargs="*", help="spec files")
    p.add_argument("-o", "--out", metavar="DIR", required=True, help="output folder (made if missing)")
    p.add_argument("--jobs", "-j", type=_at_least_one, metavar="N", help="worker processes (default: CPU count)")
    p.add_argument("--template", metavar="NAME", help="a ready template (or template file) to fill from --data rows")
    p.add_argument("--data", metavar="FILE",
                   help="with --template: CSV, Excel .xlsx (or YAML/JSON list), one output per row; "
                   "with specs: YAML/JSON data for every spec's slots")
    p.add_argument("--sheet", metavar="NAME", help="with an Excel --data file: the sheet (name, or number from 1)")
    p.add_argument("--name-column", metavar="COL", help="with --template: the column that names each output")
    p.add_argument("--force", action="store_true", help="render every input, even unchanged ones")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when it is a terminal)")
    _add_render_options(p)
    p.set_defaults(func=cmd_batch)

    p = command("check", "validate specs (load and lay out) without writing anything", _CHECK_EPILOG)
    p.add_argument("specs", metavar="SPEC", nargs="+", help="spec files")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.add_argument("--data", metavar="FILE", help="YAML/JSON data (or an Excel sheet) that fills the {{slots}}")
    p.add_argument("--sheet", metavar="NAME", help="with an Excel --data file: the sheet (name, or number from 1)")
    p.add_argument("--allow-missing-glyphs", action="store_true",
                   help="characters no font has are warnings (drawn as boxes), not errors")
    p.set_defaults(func=cmd_check)

    p = command("schema", "print the JSON Schema of the spec language (for editors)", _SCHEMA_EPILOG)
    p.add_argument("-o", "--out", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_schema)

    p = command("templates", "list the ready templates", "example:\n  tushuo templates\n")
    p.set_defaults(func=cmd_templates)

    p = command("new", "start a new spec from a ready template", _NEW_EPILOG)
    p.add_argument("name", metavar="NAME", help="template name (see `tushuo templates`)")
    p.add_argument("-o", "--out", metavar="FILE", required=True, help="the new spec file (.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=cmd_new)

    p = command("watch", "re-render a spec whenever it (or a file it uses) is saved", _WATCH_EPILOG)
    p.add_argument("spec", metavar="SPEC", help="the spec file")
    p.add_argument("-o", "--out", metavar="OUT", help="output file (default: beside the spec)")
    p.add_argument("--data", metavar="FILE", help="YAML/JSON data that fills the template's {{slots}}")
    p.add_argument("--sheet", metavar="NAME", help="with an Excel --data file: the sheet (name, or number from 1)")
    _add_render_options(p)
    p.set_defaults(func=cmd_watch)

    p = command("serve", "edit specs in the browser with a live preview (local only)", _SERVE_EPILOG)
    p.add_argument("folder", metavar="FOLDER", nargs="?", default=".", help="the folder of specs (default: here)")
    p.add_argument("--port", type=_at_least_one, metavar="N", help="port on 127.0.0.1 (default 8790, else a free one)")
    p.add_argument("--no-browser", action="store_true", help="print the address, do not open a browser")
    p.set_defaults(func=cmd_serve)
    return parser


_SERVE_EPILOG = """\
Opens a local editor in the browser over FOLDER's specs: completion and help from the
schema, errors and check warnings as you type, a live preview (long image with its
slice lines, or PDF pages), click the preview to find the block in the text, new
files from the templates, and export buttons that write beside the spec.
Listens on 127.0.0.1 only; Ctrl-C stops it. Needs: pip install "tushuo[serve]".

examples:
  tushuo serve                  # the current folder
  tushuo serve 月刊/ --port 8800 --no-browser
"""


# --------------------------------------------------------------------------- shared steps
def render_options(args: argparse.Namespace) -> dict[str, Any]:
    """The render keyword arguments the user set (unset ones keep the spec's defaults)."""
    names = ("format", "width", "theme", "slice_height", "max_bytes", "page_size", "quality", "allow_missing_glyphs",
             "describe", "script")
    opts = {n: getattr(args, n, None) for n in names}
    return {k: v for k, v in opts.items() if v is not None}


# --------------------------------------------------------------------------- commands
def cmd_render(args: argparse.Namespace) -> int:
    paths = render_spec(args.spec, args.out, render_options(args), args.data, sheet=args.sheet)
    for p in paths:
        _say(f"wrote {_describe(p)}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from . import batch

    options = render_options(args)
    if args.template:
        if args.specs:
            raise UsageError("give either SPEC files or --template NAME --data FILE, not both")
        if not args.data:
            raise UsageError("--template needs --data FILE (a CSV, one output per row)")
        _existing(args.data, "data")
        jobs = batch.row_jobs(args.template, args.data, args.out, name_column=args.name_column, sheet=args.sheet,
                              **options)
    else:
        if not args.specs:
            raise UsageError("nothing to render: give SPEC files, or --template NAME --data FILE.csv")
        if args.name_column:
            raise UsageError("--name-column goes with --template (it names each row's output)")
        for s in args.specs:
            _existing(s)
        if args.data:
            _existing(args.data, "data")
        if args.sheet is not None and not args.data:
            raise UsageError("--sheet goes with --data BOOK.xlsx")
        jobs = batch.spec_jobs(args.specs, args.out, data_file=args.data, sheet=args.sheet, **options)
    report = batch.run_jobs(jobs, args.out, max_workers=args.jobs, force=args.force, progress=args.progress)
    # Failures go to stderr, so they are seen even when stdout is redirected.
    for failed, line in report.summary_lines():
        (_err if failed else _say)(line)
    _say(f"report: {Path(args.out) / batch.REPORT_NAME}")
    if getattr(args, "debug", False):
        for i in report.items:
            if i.traceback:
                _err(i.traceback)
    return report.exit_code


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_specs

    data = load_data(args.data, args.sheet)
    findings = check_specs(args.specs, data=data, allow_missing_glyphs=args.allow_missing_glyphs,
                           strict=args.strict)
    bad = warned = False
    for spec in args.specs:
        mine = [f for f in findings if f.spec == spec]
        for f in mine:
            _err(f.format())
        errors = [f for f in mine if f.level == "error"]
        warnings = [f for f in mine if f.level == "warning"]
        bad = bad or bool(errors)
        warned = warned or bool(warnings)
        if not mine:
            _say(f"ok  {spec}")
        elif not errors:
            _say(f"ok  {spec}  ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})")
    return 2 if bad else (1 if args.strict and warned else 0)


def cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        from .atomic import write_atomic

        write_atomic(out, text.encode("utf-8"))
        _say(f"wrote {_describe(out)}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .templates import list_templates

    templates = list_templates()
    width = max((len(t.name) for t in templates), default=0)
    for t in templates:
        _say(f"{t.name:<{width}}  {t.description}")
    _say("\nstart one with: tushuo new NAME -o FILE.yaml")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .templates import new_spec

    written = new_spec(args.name, args.out, force=args.force)
    for p in written:
        _say(f"wrote {p}")
    _say(f"render it with: tushuo render {written[0]}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import watch

    _existing(args.spec)
    return watch(args.spec, args.out, data_file=args.data, sheet=args.sheet, **render_options(args))


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import run

    return run(args.folder, port=args.port, open_browser=not args.no_browser, say=_say)


# --------------------------------------------------------------------------- entry point
def _debug_env() -> bool:
    return os.environ.get("TUSHUO_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    debug = bool(getattr(args, "debug", False)) or _debug_env()
    args.debug = debug
    try:
        return int(args.func(args))
    except SpecError as exc:
        msg = exc.format()
        _err(msg if exc.file else f"tushuo: error: {msg}")
        return 2
    except KeyboardInterrupt:
        _err("tushuo: interrupted")
        return 130
    except (PermissionError, FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
        # An output path that cannot be written: a usage problem, not a bug.
        where = exc.filename or ""
        _err(f"tushuo: error: cannot write {where}: {exc.strerror or exc}")
        if debug:
            traceback.print_exc()
        return 2
    except BrokenPipeError:  # `tushuo schema | head`
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place internal failures become exit 1
        kind = "" if isinstance(exc, TushuoError) else f"{type(exc).__name__}: "
        _err(f"tushuo: internal error: {kind}{exc}")
        if debug:
            traceback.print_exc()
        else:
            _err("This is a bug in tushuo, not in your spec; please report it with the spec that caused it "
                 "(run again with --debug or TUSHUO_DEBUG=1 for the details).")
        return 1


def run() -> NoReturn:
    """The console script and ``python -m tushuo``: ``main()``, then a fast exit.

    By the time ``main()`` returns, every output file is written, closed and renamed into
    place and every worker has finished; what is left is the interpreter taking apart its
    modules and freeing every object one by one: 35–45 ms after a render of
    benchmarks/page.yaml, a tenth of the run. Like mypy's fast exit, the process flushes its
    standard streams and ends there (``os._exit``). An exception escaping ``main()`` (a bug)
    still unwinds and prints as usual.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError, OSError):  # `tushuo ... | head`, a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
