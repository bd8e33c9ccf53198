"""Drive headless Chromium from Python with the standard library only.

The DevTools protocol is spoken over a pipe (``--remote-debugging-pipe``: Chromium reads
commands on file descriptor 3 and writes replies and events on descriptor 4, each message a
JSON object ended by a NUL byte), so no websocket client, no Selenium, no driver and no
browser download is needed: only Debian's ``chromium`` package.

The pages are served by a local HTTP server on 127.0.0.1 (as on a real web server, so a
missing file is a 404 that the browser reports), and every other host name is made to fail at
once (``--host-resolver-rules``), so a page that needs a CDN to show its figures fails here on
any machine, with or without a network.

Used by ``tests/test_browser.py``; tested on small pages in ``tests/test_chromium.py``.
"""

import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time

# The flags every run uses (the project's rule for starting Chromium), plus a fresh profile.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Nothing but this machine: every host name except the local server's fails to resolve.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost"


def find_chromium():
    """The path of a Chromium (or Chrome) executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, exited, or did not answer in time."""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request log on the test's output
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL, ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _high_fd(fd):
    """Move ``fd`` to a number >= 10 (so that the child's dup2 onto 3 and 4 cannot clash)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chromium:
    """A headless Chromium with one page (tab), driven over the DevTools pipe.

    Use as a context manager; ``open(url)`` loads a page and returns what went wrong while
    loading it (console errors, uncaught exceptions, failed requests), ``evaluate`` runs
    JavaScript in the page, ``screenshot`` saves the whole page as PNG files.
    """

    def __init__(self, executable=None, *, width=1300, height=900, timeout=60.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("no Chromium executable found")
        self.width, self.height, self.timeout = width, height, timeout
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        commands_read, commands_write = (_high_fd(fd) for fd in os.pipe())
        replies_read, replies_write = (_high_fd(fd) for fd in os.pipe())

        def in_child():  # runs in the forked child before exec: the pipe on fds 3 and 4
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        args = [self.executable, *FLAGS, OFFLINE, f"--user-data-dir={self._profile}",
                "--remote-debugging-pipe", f"--window-size={width},{height}",
                "--hide-scrollbars", "--mute-audio", "about:blank"]
        self.process = subprocess.Popen(  # noqa: S603 (a fixed argument list)
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=in_child, close_fds=False)
        os.close(commands_read)
        os.close(replies_write)
        self._write, self._read = commands_write, replies_read
        self._buffer = b""
        self._next_id = 0
        self._events = []
        try:
            self.version = self.send("Browser.getVersion")["product"]
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self._session = self.send("Target.attachToTarget", targetId=target,
                                      flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable", session=True)
            self.send("Emulation.setDeviceMetricsOverride", session=True, width=width,
                      height=height, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    # -- the protocol ------------------------------------------------------------------------

    def _receive(self, deadline):
        """Read one message (waiting until ``deadline``), or raise BrowserError."""
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._read], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited (code {self.process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, session=False, **params):
        """Send one command (to the page's session if ``session``); return its result."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_for(self, method, timeout):
        """Collect events until one named ``method`` arrives; False if it does not in time."""
        deadline = time.monotonic() + timeout
        while True:
            if any(event["method"] == method for event in self._events):
                return True
            try:
                event = self._receive(deadline)
            except BrowserError:
                return False
            if "method" in event:
                self._events.append(event)

    def _drain(self, seconds):
        """Collect the events that arrive within ``seconds``."""
        deadline = time.monotonic() + seconds
        with contextlib.suppress(BrowserError):
            while True:
                event = self._receive(deadline)
                if "method" in event:
                    self._events.append(event)

    # -- what a test uses --------------------------------------------------------------------

    def open(self, url, settle=0.5):
        """Load ``url`` and wait for its load event; return the problems seen while loading.

        Each problem is a dict with ``kind`` ("console", "exception", "log", "request" or
        "http"), ``text`` and ``url`` (the file it came from, possibly empty).
        """
        self._events = []
        result = self.send("Page.navigate", session=True, url=url)
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        if not self._wait_for("Page.loadEventFired", self.timeout):
            raise BrowserError(f"{url} did not finish loading in {self.timeout:.0f} s")
        self._drain(settle)
        return self.problems()

    def problems(self):
        """The console errors, exceptions, failed requests and HTTP errors seen so far."""
        requests, found = {}, []
        for event in self._events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                requests[params["requestId"]] = params["request"]["url"]
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                found.append({"kind": "request", "text": params.get("errorText", ""),
                              "url": requests.get(params["requestId"], "")})
            elif method == "Network.responseReceived":
                response = params["response"]
                if response.get("status", 200) >= 400:
                    found.append({"kind": "http", "text": f"HTTP {response['status']}",
                                  "url": response.get("url", "")})
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                frames = details.get("stackTrace", {}).get("callFrames", [])
                url = details.get("url") or (frames[0]["url"] if frames else "")
                found.append({"kind": "exception", "text": text, "url": url})
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                text = " ".join(str(arg.get("value", arg.get("description", "")))
                                for arg in params.get("args", []))
                frames = params.get("stackTrace", {}).get("callFrames", [])
                found.append({"kind": "console", "text": text,
                              "url": frames[0]["url"] if frames else ""})
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append({"kind": "log", "text": entry.get("text", ""),
                              "url": entry.get("url", "")})
        return found

    def requested(self):
        """Every URL the page asked for since it was opened (data: URLs left out)."""
        return [event["params"]["request"]["url"] for event in self._events
                if event["method"] == "Network.requestWillBeSent"
                and not event["params"]["request"]["url"].startswith(("data:", "blob:"))]

    def evaluate(self, expression):
        """Run JavaScript in the page and return its (JSON-serialisable) value."""
        result = self.send("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description")
                               or details.get("text"))
        return result["result"].get("value")

    def screenshot(self, path, max_height=4000):
        """Save the whole page as PNG: ``path``, or ``stem-1.png``, ``stem-2.png``... if the
        page is taller than ``max_height`` pixels. Returns the list of files written.

        The viewport is stretched to the page's height for the capture (capturing "beyond
        the viewport" instead lays the page out again, shifted), then put back.
        """
        size = self.evaluate("[document.documentElement.scrollWidth,"
                             " document.documentElement.scrollHeight]")
        width, height = self.width, max(1, min(int(size[1]), 16000))
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=False)
        self._drain(0.3)  # let the page lay itself out at the new size
        pieces = max(1, -(-height // max_height))
        path = os.fspath(path)
        stem, suffix = os.path.splitext(path)
        written = []
        try:
            for piece in range(pieces):
                top = piece * max_height
                clip = {"x": 0, "y": top, "width": width,
                        "height": min(max_height, height - top), "scale": 1}
                data = self.send("Page.captureScreenshot", session=True, format="png",
                                 clip=clip)["data"]
                name = path if pieces == 1 else f"{stem}-{piece + 1}{suffix}"
                with open(name, "wb") as file:
                    file.write(base64.b64decode(data))
                written.append(name)
        finally:
            self.send("Emulation.setDeviceMetricsOverride", session=True, width=self.width,
                      height=self.height, deviceScaleFactor=1, mobile=False)
        return written

    def close(self):
        """Quit Chromium and remove its profile."""
        with contextlib.suppress(BrowserError, OSError):
            if self.process.poll() is None:
                os.write(self._write, json.dumps(
                    {"id": 0, "method": "Browser.close", "params": {}}).encode() + b"\0")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError, AttributeError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
