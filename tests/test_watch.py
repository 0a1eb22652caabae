"""The live preview (`build.py watch`): serves build/, rebuilds on edits, shows errors, 404s."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, copy_project

pytestmark = pytest.mark.slow

TIMEOUT = 60  # seconds: an upper bound for a rebuild on a busy machine, not an expectation


@dataclass
class Watch:
    proc: subprocess.Popen[str]
    project: Path
    port: int
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def get(self, path: str, host: str | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {"Host": host or f"127.0.0.1:{self.port}"}
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def state(self) -> dict[str, Any]:
        status, body = self.get("/__pressroom/state")
        assert status == 200
        result: dict[str, Any] = json.loads(body)
        return result

    def settled(self, after: int) -> dict[str, Any] | None:
        """The state once a rebuild that finished after batch `after` has left it idle."""
        state = self.state()
        return state if state["batches"] > after and not state["building"] else None


def wait(predicate: Callable[[], Any], what: str) -> Any:
    end = time.monotonic() + TIMEOUT
    while time.monotonic() < end:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def watch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watch]:
    """One watch process for the module (its first build is the slow part); the Ctrl-C test
    runs last and ends it."""
    tmp_path = tmp_path_factory.mktemp("watch")
    project = copy_project("notes", tmp_path)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--project", project.name, "watch", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C must work even when the tests run in the background, where SIGINT is ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if "serving build/ at" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(TIMEOUT), "\n".join(lines)
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", "\n".join(lines)).group(1))  # type: ignore[union-attr]
        w = Watch(proc, project, port, lines, reader)
        wait(lambda: w.settled(0), "the first build")
        yield w
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_edit_error_and_fix_are_served(watch: Watch) -> None:
    status, page = watch.get("/paper.html")
    assert status == 200
    assert "Later sections" in page and 'id="pressroom-live"' in page
    assert watch.get("/paper.pdf")[0] == 200
    status, index = watch.get("/")
    assert status == 200 and 'href="/paper.pdf"' in index and 'href="/paper.html"' in index

    source = watch.project / "manuscript" / "paper.md"
    text = source.read_text("utf-8")
    source.write_text(text.replace("Later sections", "Subsequent sections"), "utf-8")
    wait(lambda: "Subsequent sections" in watch.get("/paper.html")[1], "the edit to be served")

    before = watch.state()["batches"]
    broken = text.replace("Later sections", "Subsequent sections [@nosuchkey2099]")
    source.write_text(broken, "utf-8")
    state = wait(
        lambda: (s := watch.settled(before)) and s["error"] and s, "the error to be reported"
    )
    line = broken[: broken.index("nosuchkey2099")].count("\n") + 1
    expected = f"notes/manuscript/paper.md:{line}: error: unknown citation key 'nosuchkey2099'"
    assert expected in state["error"]
    assert any(expected in ln for ln in watch.lines), watch.lines  # and in the terminal
    status, page = watch.get("/paper.html")
    assert status == 200
    assert 'id="pressroom-error"' in page and "unknown citation key" in page
    assert "Subsequent sections" in page  # the last good output is still served

    before = watch.state()["batches"]
    source.write_text(text, "utf-8")
    state = wait(lambda: watch.settled(before), "the fixed build")
    assert state["error"] is None
    page = wait(
        lambda: (p := watch.get("/paper.html")[1]) and "Later sections" in p and p,
        "the fixed page",
    )
    assert 'id="pressroom-error"' not in page
    assert watch.proc.poll() is None  # still watching

    # A fix that puts back the last good source rebuilds nothing, and says the error is gone.
    cleared = watch.lines.count("pressroom: no errors; build/ is current")
    before = watch.state()["batches"]
    source.write_text(broken, "utf-8")
    wait(lambda: (s := watch.settled(before)) and s["error"], "the error again")
    before = watch.state()["batches"]
    source.write_text(text, "utf-8")
    state = wait(lambda: watch.settled(before), "the fix to the last good source")
    assert state["error"] is None
    wait(
        lambda: watch.lines.count("pressroom: no errors; build/ is current") > cleared,
        "the terminal to say the error is gone",
    )


def test_serves_only_files_inside_build(watch: Watch) -> None:
    secret = watch.project.parent / "secret.txt"
    secret.write_text("secret", "utf-8")
    os.symlink(secret, watch.project / "build" / "link.txt")
    probes = [
        "/../manuscript/paper.md",
        "/%2e%2e/manuscript/paper.md",
        "/%2E%2E/%2E%2E/secret.txt",
        "/..%2fmanuscript%2fpaper.md",
        "/..%5cmanuscript%5cpaper.md",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/.deps/paper.html.d",
        "/link.txt",
        "/paper.html%00.txt",
        "/nonexistent.html",
    ]
    for probe in probes:
        status, body = watch.get(probe)
        assert status == 404, probe
        assert "secret" not in body
    assert watch.get("/paper.html", host="evil.example:80")[0] == 403
    assert watch.get("/paper.html", host=f"localhost:{watch.port}")[0] == 200


def test_pages_hear_of_builds_by_server_sent_events(watch: Watch) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", watch.port, timeout=10)
    try:
        conn.request("GET", "/__pressroom/events", headers={"Host": f"127.0.0.1:{watch.port}"})
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/event-stream"
        line = response.fp.readline().decode("utf-8")
        assert line.startswith("data: ")
        assert "paper.html" in json.loads(line.removeprefix("data: "))["versions"]
    finally:
        conn.close()


def test_ctrl_c_stops_cleanly(watch: Watch) -> None:
    """Ctrl-C is how a preview ends: exit 0, so that `make watch` reports no error."""
    watch.proc.send_signal(signal.SIGINT)
    assert watch.proc.wait(timeout=20) == 0
    assert watch.reader is not None
    watch.reader.join(TIMEOUT)  # the reader has taken every line once stderr is closed
    assert [ln for ln in watch.lines if ln.strip()][-1] == "pressroom: preview stopped"
