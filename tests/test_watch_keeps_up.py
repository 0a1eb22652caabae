"""Issue 11: the live preview keeps up. An edit's HTML is built while an earlier PDF is still
being laid out (never behind it); the PDF follows from the newest sources; the server accepts
any loopback Host (an SSH forward from another port) with the origin check intact; the PDF
viewer page reloads the PDF when it is rewritten."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from pressroom import parallel, serve
from pressroom.render import pdf
from pressroom.scaffold import scaffold
from pressroom.watch import Preview


def _edit(source: Path, old: str, new: str) -> None:
    text = source.read_text("utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), "utf-8")


def test_an_edit_s_html_never_waits_for_a_pdf_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF layout is held (at a gate in the real renderer) while two edits come in: the
    second edit's HTML is served at once, the stale layout is dropped, and the PDF is then
    made from the newest source."""
    project = tmp_path / "paper"
    scaffold(project)
    preview = Preview(project, strict=False, overrides={})
    preview.rebuild()
    preview.wait(120)
    assert (project / "build" / "paper.pdf").is_file()

    # The gate is a file, so that it holds the layout in a forked process too.
    holding, gate = tmp_path / "holding", tmp_path / "gate"
    real = pdf.RENDERER.start

    def held(*args: Any, **kwargs: Any) -> Any:
        holding.touch()
        end = time.monotonic() + 120
        while not gate.exists() and time.monotonic() < end:
            time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf.RENDERER, "start", held)  # watch's way in (draft first)
    source = project / "manuscript" / "paper.md"
    _edit(source, "# Evidence", "# First Edit")
    preview.rebuild({source})
    end = time.monotonic() + 120
    while not holding.exists() and time.monotonic() < end:  # the first edit's PDF is held
        time.sleep(0.02)
    assert holding.exists()
    _edit(source, "# First Edit", "# Second Edit")
    preview.rebuild({source})  # returns while a PDF layout is held
    assert "Second Edit" in (project / "build" / "paper.html").read_text("utf-8")
    assert preview.state.building  # the PDF is still to come
    gate.touch()
    preview.wait(120)
    text = "".join(page.extract_text() for page in PdfReader(project / "build" / "paper.pdf").pages)
    assert "Second Edit" in text  # the PDF caught up with the newest source
    assert not preview.state.building and preview.state.error is None
    if parallel.available():
        assert preview.dropped >= 1  # the first edit's layout was stopped, not waited for


class _Headers:
    def __init__(self, **values: str) -> None:
        self.values = {k.replace("_", "-").title(): v for k, v in values.items()}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def _host_ok(**headers: str) -> bool:
    handler = serve._Handler.__new__(serve._Handler)
    handler.headers = _Headers(**headers)  # type: ignore[assignment]
    return serve._Handler._host_ok(handler)


def test_any_loopback_host_with_the_origin_check_intact() -> None:
    assert _host_ok(host="127.0.0.1:8000")
    assert _host_ok(host="localhost:9000")  # ssh -L 9000:127.0.0.1:8000
    assert _host_ok(host="[::1]:9000")
    assert not _host_ok(host="evil.example:8000")  # DNS rebinding
    assert not _host_ok(host="localhost.evil.example:8000")
    assert _host_ok(host="localhost:9000", origin="http://localhost:9000")
    assert not _host_ok(host="localhost:9000", origin="http://localhost:3000")  # another site
    assert not _host_ok(host="localhost:9000", origin="http://evil.example:9000")


def test_the_pdf_viewer_page_reloads_the_pdf(tmp_path: Path) -> None:
    """The index links each PDF to its viewer page, which loads the PDF at the reader's page
    and again, under a new address, whenever the build rewrites it."""
    import http.client

    build = tmp_path / "build"
    build.mkdir()
    (build / "paper.pdf").write_bytes(b"%PDF-1.7 stand-in")
    server = serve.PreviewServer(0, build, serve.State(), "paper")
    server.start()
    try:

        def get(path: str) -> tuple[int, str]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("GET", path, headers={"Host": f"localhost:{server.port}"})
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8")

        status, index = get("/")
        assert status == 200 and 'href="/__pressroom/pdf/paper.pdf"' in index
        status, page = get("/__pressroom/pdf/paper.pdf")
        assert status == 200 and '<iframe id="pdf"' in page
        assert 'var name = "paper.pdf"' in page and serve.EVENTS in page
        assert '"/" + name + "?v=" + version + "#page=" + page' in page
        assert get("/__pressroom/pdf/nosuch.pdf")[0] == 404
        assert get("/__pressroom/pdf/..%2f..%2fsecret.pdf")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
