"""The web app: a page, its bundled script and style, and a small JSON API over one folder.

Starlette routes, run by uvicorn on 127.0.0.1 (``tushuo.serve.run``). Everything the page
needs ships in ``web/`` (no CDN); the API never takes a path it does not pass through
``Folder.spec_path``. Bad input (a name outside the folder, a spec error on export) is
a 400 with ``{"error": message}``; a save over someone else's change is a 409.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import SpecError, SpecErrors
from .files import Conflict, Folder
from .preview import Previewer, problem

WEB = Path(__file__).parent / "web"
#: the files the page loads, and their types (nothing else under web/ is served)
STATIC = {"app.js": "text/javascript", "app.css": "text/css", "LICENSES.txt": "text/plain; charset=utf-8"}
EXPORTS = ("png", "slices", "pdf", "svg")
#: request bodies larger than this are refused (a spec is at most 20 MB, JSON-escaped)
MAX_BODY = 64 * 1024 * 1024


def _bad(message: str, status: int = 400, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def _json(request: Request) -> dict[str, Any]:
    # JSON only: a page elsewhere cannot send it without a CORS preflight, which is never granted
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise SpecError("the request must be application/json")
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise SpecError("the request has a bad Content-Length") from None
    if declared > MAX_BODY:
        raise SpecError("request too large")
    # counted while it arrives: a chunked body names no length, and request.json() would keep all of it
    raw = bytearray()
    try:
        async for part in request.stream():
            raw += part
            if len(raw) > MAX_BODY:
                raise SpecError("request too large")
    except ClientDisconnect:
        raise SpecError("the request was cut off") from None
    try:
        body = json.loads(raw)
    except ValueError:
        raise SpecError("the request is not JSON") from None
    if not isinstance(body, dict):
        raise SpecError("the request is not a JSON object")
    return body


class _SameOrigin:
    """Refuses a POST whose Origin is another site's (the browser always sends it on POST)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] != "GET":
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            if origin and origin != f"http://{host}":
                await JSONResponse({"error": "cross-origin request refused"}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _number(value: Any, default: float) -> float:
    try:
        return default if value in (None, "") else float(value)
    except (TypeError, ValueError):
        raise SpecError(f"not a number: {value!r}") from None


def _width(value: Any) -> float | None:
    return None if value in (None, "", "spec") else _number(value, 0.0)


def create_app(folder: str | Path) -> Starlette:  # noqa: C901 - over the limit when ruff's complexity rule came in; split tracked in #12
    """The app over ``folder`` (which must exist)."""
    files = Folder(folder)
    previews = Previewer(files.root)
    write_lock = threading.Lock()

    def guarded(fn):
        async def handler(request: Request) -> Response:
            try:
                return await fn(request)
            except Conflict as c:
                return _bad("这个文件已被其他程序修改", 409, text=c.current.text, version=c.current.version)
            except SpecError as exc:
                return _bad(exc.format())
        return handler

    async def index(request: Request) -> Response:
        return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def font(request: Request) -> Response:
        from ..resources import fonts_dir

        name = {"regular": "NotoSansSC-Regular.ttf", "bold": "NotoSansSC-Bold.ttf"}.get(request.path_params["name"])
        if name is None:
            return Response("not found", status_code=404)
        return FileResponse(fonts_dir() / name, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", status_code=404)
        return FileResponse(WEB / name, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    @guarded
    async def list_files(request: Request) -> Response:
        from ..templates import list_templates
        from ..themes import builtin_themes

        return JSONResponse({
            "folder": str(files.root), "files": files.list(),
            "templates": [{"name": t.name, "description": t.description} for t in list_templates()],
            "themes": builtin_themes(),
        })

    async def schema(request: Request) -> Response:
        from ..schema import json_schema

        return JSONResponse(json_schema())

    @guarded
    async def read_file(request: Request) -> Response:
        state = files.read(request.query_params.get("name", ""))
        return JSONResponse({"name": state.name, "text": state.text, "version": state.version})

    others = [files.others()]

    @guarded
    async def version(request: Request) -> Response:
        """The file's version; ``assets`` says a picture or data file changed (preview again)."""
        now = files.others()
        changed = now != others[0]
        if changed:
            others[0] = now
            previews.clear()
        return JSONResponse({"version": files.version(request.query_params.get("name", "")), "assets": changed})

    @guarded
    async def save(request: Request) -> Response:
        body = await _json(request)
        with write_lock:
            state = files.save(str(body.get("name", "")), str(body.get("text", "")), body.get("version"))
        return JSONResponse({"name": state.name, "version": state.version})

    @guarded
    async def new(request: Request) -> Response:
        from ..templates import find_template, new_spec

        body = await _json(request)
        name = str(body.get("name", ""))
        if not name.lower().endswith((".yaml", ".yml")):
            name += ".yaml"
        path = files.spec_path(name, new=True)
        with write_lock:
            if path.exists():
                raise SpecError(f"已有同名文件 {name}，请换一个名字")
            find_template(str(body.get("template", "")))
            new_spec(str(body.get("template", "")), path)
        state = files.read(name)
        return JSONResponse({"name": state.name, "text": state.text, "version": state.version})

    def _preview_sync(body: dict[str, Any]) -> dict[str, Any]:
        name = str(body.get("name", ""))
        files.spec_path(name)  # refused outside the folder, before anything is read
        result = previews.preview(name, str(body.get("text", "")), width=_width(body.get("width")),
                                  theme=body.get("theme") or None, density=_number(body.get("density"), 1.0),
                                  pages=body.get("view", "pages") == "pages")
        return result.as_json()

    @guarded
    async def preview(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        body = await _json(request)
        return JSONResponse(await run_in_threadpool(_preview_sync, body))

    async def tile(request: Request) -> Response:
        data = previews.tile(request.path_params["key"])
        if data is None:
            return Response("gone", status_code=404)
        return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600, immutable"})

    def _export_sync(body: dict[str, Any]) -> dict[str, Any]:
        from ..api import load, render

        name, kind = str(body.get("name", "")), str(body.get("kind", ""))
        path = files.spec_path(name)
        try:
            doc = load(str(body.get("text", "")), file=path)
        except SpecErrors as errs:
            return {"problems": [problem(name, e) for e in errs.errors]}
        except SpecError as err:
            return {"problems": [problem(name, err)]}
        options: dict[str, Any] = {"width": _width(body.get("width")), "theme": body.get("theme") or None}
        stem = path.with_suffix("")
        if kind == "slices":
            files.output_folder(f"{stem}-slices")  # not a symlink out of the folder
            target = f"{stem}-slices/"
            options["slice_height"] = doc.output.slice_height or None
        else:
            target = f"{stem}.{kind}"
        with write_lock:
            written = render(doc, target, **options)
        return {"written": [Path(p).resolve().relative_to(files.root).as_posix() for p in written]}

    @guarded
    async def export(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        body = await _json(request)
        if body.get("kind") not in EXPORTS:
            raise SpecError(f"unknown export: {body.get('kind')} (use {', '.join(EXPORTS)})")
        files.spec_path(str(body.get("name", "")))
        try:
            return JSONResponse(await run_in_threadpool(_export_sync, body))
        except SpecError as exc:  # located in the spec: the editor shows it like a preview error
            name = str(body.get("name", ""))
            return JSONResponse({"problems": [problem(name, exc)]})

    routes = [
        Route("/", index),
        Route("/static/font/{name}", font),
        Route("/static/{name}", static),
        Route("/api/files", list_files),
        Route("/api/schema", schema),
        Route("/api/file", read_file),
        Route("/api/version", version),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/new", new, methods=["POST"]),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/tile/{key}", tile),
        Route("/api/export", export, methods=["POST"]),
    ]
    app = Starlette(routes=routes, middleware=[
        # only the names of this machine: a page elsewhere cannot reach the app by rebinding its DNS
        Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"]),
        Middleware(_SameOrigin),
    ])
    app.state.files = files
    app.state.previews = previews
    return app
