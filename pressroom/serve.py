"""The live preview's web server: build/ on 127.0.0.1 only, live reload, error overlay."""

from __future__ import annotations

import html
import ipaddress
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import PressroomError

HOST = "127.0.0.1"  # loopback only: the preview is for the author, not the network
EVENTS = "/__pressroom/events"
STATE = "/__pressroom/state"
VIEWER = "/__pressroom/pdf/"  # + NAME.pdf: the PDF in a page that reloads it when rewritten
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}


@dataclass
class State:
    """What the builder tells the pages: how many builds ran, whether one runs, the last error."""

    builds: int = 0  # outputs published so far
    batches: int = 0  # rebuilds finished (successful or not)
    building: bool = False
    error: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def update(self, **values: Any) -> None:
        with self.changed:
            for key, value in values.items():
                setattr(self, key, value)
            self.changed.notify_all()

    def snapshot(self, build_dir: Path) -> dict[str, Any]:
        """The JSON a page polls: each output's mtime tells it whether to reload."""
        versions = {}
        if build_dir.is_dir():
            for p in sorted(build_dir.iterdir()):
                if not p.name.startswith(".") and p.is_file():
                    versions[p.name] = p.stat().st_mtime_ns
        return {
            "builds": self.builds,
            "batches": self.batches,
            "building": self.building,
            "error": self.error,
            "versions": versions,
        }


# Reloads the page when its own file changes; shows or hides the error overlay in place.
_SCRIPT = """<script id="pressroom-live">(function () {
  var name = %(name)s, seen = %(version)s, builds = %(builds)s;
  function overlay(text) {
    var box = document.getElementById("pressroom-error");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre"); box.id = "pressroom-error";
      box.setAttribute("style", %(style)s); document.body.appendChild(box);
    }
    box.textContent = text;
  }
  var source = new EventSource("%(events)s");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data), now = state.versions[name];
    var stale = name ? (now && now !== seen) : (state.builds !== builds && !state.building);
    if (stale) { location.reload(); return; }
    overlay(state.error);
  };
})();</script>
"""
# The PDF viewer page: the browser's own PDF viewer in a frame, reloaded when the file is
# rewritten, at the page in the page box (which the reader sets, and which #page=N in this
# page's address sets too). Browsers do not tell a page which page their viewer shows, so the
# page box is where the reader's place is kept.
_VIEWER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%(title)s</title>
<style>html,body{margin:0;height:100%%;font:14px system-ui,sans-serif}
nav{display:flex;gap:.5em;align-items:center;padding:.3em .6em;background:#f3f0e8}
iframe{border:0;width:100%%;height:calc(100%% - 2.4em)}</style></head>
<body><nav><a href="/">build/</a> <strong>%(title)s</strong>
<button id="prev" type="button">&#8593;</button>
<label>page <input id="page" type="number" min="1" value="1" style="width:4em"></label>
<button id="next" type="button">&#8595;</button>
<span id="note" aria-live="polite"></span></nav>
<iframe id="pdf" title="%(title)s"></iframe>
<script id="pressroom-pdf">(function () {
  var name = %(name)s, seen = null, frame = document.getElementById("pdf");
  var box = document.getElementById("page"), note = document.getElementById("note");
  var m = /page=([0-9]+)/.exec(location.hash); if (m) box.value = m[1];
  function show(version) {
    var page = Math.max(1, parseInt(box.value, 10) || 1);
    history.replaceState(null, "", "#page=" + page);
    frame.src = "/" + name + "?v=" + version + "#page=" + page;
  }
  box.onchange = function () { show(seen); };
  function step(by) { box.value = Math.max(1, +box.value + by); show(seen); }
  document.getElementById("prev").onclick = function () { step(-1); };
  document.getElementById("next").onclick = function () { step(1); };
  var source = new EventSource("%(events)s");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data), now = state.versions[name];
    note.textContent = state.error ? "the last build failed: see the terminal"
      : (state.building ? "building\u2026" : "");
    if (now && now !== seen) { seen = now; show(now); }
  };
})();</script>
</body></html>
"""
_OVERLAY_STYLE = (
    "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;max-height:50vh;"
    "overflow:auto;z-index:2147483647;background:#fff0f0;color:#900;border-top:3px solid #c00;"
    "font:13px/1.4 monospace;white-space:pre-wrap"
)


def inject(page: bytes, name: str, version: int | None, state: State) -> bytes:
    """Add the live-reload script, and the error overlay if the last build failed.

    A page reloads when its own file changes; the index (name "") after every build."""
    error = state.error
    parts = []
    if error:
        parts.append(
            f'<pre id="pressroom-error" style="{_OVERLAY_STYLE}">{html.escape(error)}</pre>\n'
        )
    parts.append(
        _SCRIPT
        % {
            "name": json.dumps(name),
            "version": json.dumps(version),
            "builds": json.dumps(state.builds),
            "style": json.dumps(_OVERLAY_STYLE),
            "events": EVENTS,
        }
    )
    extra = "".join(parts).encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page[:at] + extra + page[at:] if at >= 0 else page + extra


def _viewer(name: str) -> bytes:
    values = {"title": html.escape(name), "name": json.dumps(name), "events": EVENTS}
    return (_VIEWER % values).encode("utf-8")


def resolve(build_dir: Path, url_path: str) -> Path | None:
    """The file under build/ that a URL names, or None: no `..`, no encoded separators, no
    hidden files (.deps, temporary files) and no symbolic links anywhere on the way."""
    lowered = url_path.lower()
    if "%2f" in lowered or "%5c" in lowered or "%00" in lowered or "\\" in url_path:
        return None
    parts = [p for p in unquote(url_path).split("/") if p]
    if any(p in (".", "..") or p.startswith(".") or "\x00" in p or "\\" in p for p in parts):
        return None
    if not parts:
        return None
    base = build_dir.resolve()
    path = base.joinpath(*parts)
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            return None
    if not path.is_file() or not path.resolve().is_relative_to(base):
        return None
    return path


def _split_host(value: str) -> tuple[str, int | None] | None:
    """A Host header as (name, port), or None if it is not one ('[::1]:8000' too)."""
    parts = urlsplit("//" + value.strip().lower())
    try:
        port = parts.port
    except ValueError:
        return None
    return (parts.hostname, port) if parts.hostname else None


def _loopback(name: str) -> bool:
    """localhost, *.localhost (RFC 6761), 127.0.0.0/8 and ::1."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # event streams never end; do not wait for them on shutdown

    def __init__(self, port: int, build_dir: Path, state: State, title: str) -> None:
        try:
            super().__init__((HOST, port), _Handler)
        except OSError as exc:
            raise PressroomError(
                f"cannot serve on {HOST}:{port}: {exc.strerror} (try --port {port + 1})",
                kind="watch.port",
            ) from None
        self.build_dir = build_dir
        self.state = state
        self.title = title

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="preview-server", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build messages

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain")
            return
        path = urlsplit(self.path).path
        state = self.server.state
        if path == EVENTS:
            self._events()
        elif path.startswith(VIEWER) and path.endswith(".pdf"):
            name = path.removeprefix(VIEWER)
            if resolve(self.server.build_dir, "/" + name) is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            else:
                self._send(HTTPStatus.OK, _viewer(name), TYPES[".html"])
        elif path == STATE:
            body = json.dumps(state.snapshot(self.server.build_dir)).encode("utf-8")
            self._send(HTTPStatus.OK, body, "application/json")
        elif path in ("/", "/index.html") and not (self.server.build_dir / "index.html").exists():
            self._send(HTTPStatus.OK, self._index(), TYPES[".html"])
        else:
            self._file(path)

    def _host_ok(self) -> bool:
        """Refuse other Host names (DNS rebinding): only loopback names, on any port (an SSH
        forward from another local port names that port). A request that carries an Origin
        (a script's) must come from a loopback page of this same host and port: another
        local site on another port cannot read the preview."""
        host = _split_host(self.headers.get("Host") or "")
        if host is None or not _loopback(host[0]):
            return False
        origin = self.headers.get("Origin")
        if origin is None:
            return True
        parts = urlsplit(origin)
        if parts.scheme != "http" or not parts.hostname or not _loopback(parts.hostname):
            return False
        return (parts.port or 80) == (host[1] or 80)

    def _file(self, url_path: str) -> None:
        found = resolve(self.server.build_dir, url_path)
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        try:
            data = found.read_bytes()
            version = found.stat().st_mtime_ns
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        kind = TYPES.get(found.suffix.lower(), "application/octet-stream")
        if found.suffix.lower() == ".html":
            data = inject(data, found.name, version, self.server.state)
        self._send(HTTPStatus.OK, data, kind)

    def _index(self) -> bytes:
        build_dir = self.server.build_dir
        files = sorted(p for p in build_dir.glob("*") if p.is_file() and not p.name.startswith("."))
        rows = []
        for p in files:
            name = html.escape(p.name)
            if p.suffix == ".pdf":  # through the viewer page, which reloads it
                rows.append(
                    f'<li><a href="{VIEWER}{name}">{name}</a> (reloads when rebuilt; '
                    f'<a href="/{name}">the file</a>)</li>'
                )
            else:
                note = " (download)" if p.suffix == ".docx" else ""
                rows.append(f'<li><a href="/{name}">{name}</a>{note}</li>')
        listing = "\n".join(rows) or "<li>nothing built yet</li>"
        title = html.escape(self.server.title)
        page = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}: build/</title></head>\n<body>\n<h1>{title}</h1>\n"
            f"<ul>\n{listing}\n</ul>\n</body>\n</html>\n"
        )
        return inject(page.encode("utf-8"), "", None, self.server.state)

    def _events(self) -> None:
        """Server-sent events: the state as JSON whenever a build starts or ends."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.server.state
        seen = -1
        try:
            while True:
                with state.changed:
                    key = (state.builds, state.batches, state.building, state.error)
                    if hash(key) == seen:
                        state.changed.wait(timeout=15)
                        key = (state.builds, state.batches, state.building, state.error)
                if hash(key) == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = hash(key)
                    data = json.dumps(state.snapshot(self.server.build_dir))
                    self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()
        except OSError:
            return  # the page went away

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
