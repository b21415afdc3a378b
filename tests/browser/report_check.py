#!/usr/bin/env python3
"""Browser test of `catchment report`: load report.html in headless Chromium
and check that it is self-contained and clean.

    python3 tests/browser/report_check.py out/report.html [--screenshot out/report.png]
    python3 tests/browser/report_check.py --self-test

Checks:
  1. static: the HTML names no external URL (http:, https:, protocol-relative
     //host, ftp:), loads no script, stylesheet, frame or image by reference,
     and every CSS url() is a data: URL;
  2. in the browser (Chrome DevTools Protocol over --remote-debugging-pipe,
     Python standard library only): the page makes no request other than
     itself and data: URLs, logs no console error or warning, throws no
     exception, its embedded font loads ("loaded", not "error": the browser's
     font sanitizer accepted the subset) and renders Chinese;
  3. it prints on A4 (the PDF's page size is 210 x 297 mm), and in print
     every figure's legend text is 8 pt or more;
  4. a screenshot of the whole page is taken (--screenshot).

--self-test runs the checks on pages that break each rule (an external
image, a console error, a broken font) and fails unless every one is caught.

Needs Debian's `chromium` (apt-get install -y chromium). Exit code 0 when
every check passes, 1 otherwise; the last line reads "N passed, M failed".
"""

import argparse
import base64
import json
import os
import pathlib
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 90


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("report_check: no chromium on PATH (apt-get install -y chromium)")


# --- 1. static checks ------------------------------------------------------

EXTERNAL = [
    (re.compile(r"(?i)\bhttps?:"), "an http(s): URL"),
    (re.compile(r"(?i)\bftp:"), "an ftp: URL"),
    (re.compile(r"""(?i)(?:src|href|xlink:href|action)\s*=\s*["']?\s*//"""), "a protocol-relative URL"),
    (re.compile(r"(?i)<\s*(?:script|link|iframe|object|embed)\b"), "a script, link, frame or object element"),
    (re.compile(r"(?i)@import\b"), "a CSS @import"),
]


def static_problems(html):
    """Problems found by reading the HTML itself."""
    problems = []
    # The embedded font's base64 could contain anything; look around it.
    text = re.sub(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+", "data:", html)
    for rx, what in EXTERNAL:
        m = rx.search(text)
        if m:
            start = max(0, m.start() - 40)
            problems.append(f"{what}: ...{text[start:m.end() + 40]!r}...")
    for m in re.finditer(r"(?i)url\(\s*['\"]?([^'\")]*)", text):
        if not m.group(1).startswith("data:"):
            problems.append(f"a CSS url() that is not a data: URL: {m.group(0)!r}")
    for m in re.finditer(r"""(?i)\b(?:src|href)\s*=\s*["']([^"']*)""", text):
        if not (m.group(1).startswith("data:") or m.group(1).startswith("#")):
            problems.append(f"a reference to another file: {m.group(0)!r}")
    if "@font-face" not in html:
        problems.append("no embedded @font-face")
    return problems


# --- 2. Chrome DevTools Protocol over a pipe ---------------------------------


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, chromium, profile):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def child_fds():
            # Chromium reads commands on fd 3 and writes replies on fd 4
            # (dup first: the pipe ends may themselves be fds 3 and 4).
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            chromium,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_fds,
            # Keep fds 3 and 4 made by child_fds (the pipe ends themselves
            # are not inheritable, PEP 446).
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.w = to_chrome_w
        self.r = from_chrome_r
        self.buf = b""
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from chromium")
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=TIMEOUT_S):
        self.next_id += 1
        req = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            req["sessionId"] = session
        os.write(self.w, json.dumps(req).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_message(deadline)
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method, session, timeout=TIMEOUT_S):
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        while True:
            msg = self._read_message(deadline)
            self.events.append(msg)
            if msg.get("method") == method and msg.get("sessionId") == session:
                return msg


def browser_check(chromium, page, screenshot=None):
    """Load `page` and return (problems, facts)."""
    problems, facts = [], {}
    url = page.resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile:
        b = Browser(chromium, profile)
        try:
            target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                b.send(f"{domain}.enable", session=s)
            b.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": 1000, "height": 1400, "deviceScaleFactor": 1, "mobile": False},
                session=s,
            )
            b.events.clear()
            b.send("Page.navigate", {"url": url}, session=s)
            b.wait_event("Page.loadEventFired", s)
            fonts = b.send(
                "Runtime.evaluate",
                {
                    "expression": "document.fonts.ready.then(() => JSON.stringify({"
                    "faces: [...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status]),"
                    "zh: document.fonts.check('16px catchment-cjk', '学校'),"
                    "height: document.documentElement.scrollHeight}))",
                    "awaitPromise": True,
                    "returnByValue": True,
                },
                session=s,
            )
            info = json.loads(fonts["result"]["value"])
            facts["fonts"] = info["faces"]
            faces = dict(info["faces"])
            if faces.get("catchment-cjk") != "loaded":
                problems.append(f"embedded font not loaded: {info['faces']}")
            if not info["zh"]:
                problems.append("the embedded font does not render 学校")
            # Let late console messages arrive.
            b.send("Runtime.evaluate", {"expression": "1"}, session=s)
            pdf = b.send(
                "Page.printToPDF",
                {"preferCSSPageSize": True, "printBackground": True},
                session=s,
            )
            pdf_bytes = base64.b64decode(pdf["data"])
            boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf_bytes)
            facts["pdf_pages"] = len(boxes)
            a4 = [(w, h) for w, h in boxes if abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5]
            if not boxes or len(a4) != len(boxes):
                problems.append(f"not printed on A4: page boxes {sorted(set(boxes))[:3]}")
            # Legends as printed: the computed font size of every legend
            # element under print media (CSS pt are absolute in print).
            b.send("Emulation.setEmulatedMedia", {"media": "print"}, session=s)
            sizes = b.send(
                "Runtime.evaluate",
                {
                    "expression": "JSON.stringify({"
                    "figures: document.querySelectorAll('figure').length,"
                    "legends: document.querySelectorAll('figure .legend').length,"
                    "pt: [...document.querySelectorAll('.legend, .legend *')]"
                    ".filter(e => e.textContent.trim() && !e.closest('svg'))"
                    ".map(e => parseFloat(getComputedStyle(e).fontSize) * 0.75)})",
                    "returnByValue": True,
                },
                session=s,
            )
            b.send("Emulation.setEmulatedMedia", {"media": ""}, session=s)
            leg = json.loads(sizes["result"]["value"])
            facts["legends"] = f"{leg['legends']} of {leg['figures']} figures, smallest {min(leg['pt'], default=0):.1f} pt"
            if leg["legends"] < leg["figures"]:
                problems.append(f"A4 legend: {leg['figures'] - leg['legends']} figures without an HTML legend")
            small = [pt for pt in leg["pt"] if pt < 8.0]
            if small:
                problems.append(f"A4 legend: text printed at {min(small):.1f} pt (< 8 pt)")
            if screenshot:
                h = max(1400, min(int(info["height"]), 30000))
                b.send(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": 1000, "height": h, "deviceScaleFactor": 1, "mobile": False},
                    session=s,
                )
                shot = b.send("Page.captureScreenshot", {"format": "png"}, session=s)
                pathlib.Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
                facts["screenshot"] = f"{screenshot} (1000 x {h})"
        finally:
            b.close()
    for e in b.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Network.requestWillBeSent":
            req = p["request"]["url"]
            if not (req == url or req.startswith("data:")):
                problems.append(f"network request: {req}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console {p['type']}: {args}")
        elif m == "Runtime.exceptionThrown":
            problems.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            problems.append(f"console {p['entry']['level']}: {p['entry'].get('text')}")
        elif m == "Network.loadingFailed":
            problems.append(f"failed load: {p.get('errorText')}")
    return problems, facts


def check(chromium, page, screenshot=None):
    html = page.read_text(encoding="utf-8")
    results = []
    results.append(("no external URL in the HTML", static_problems(html)))
    problems, facts = browser_check(chromium, page, screenshot)
    net = [p for p in problems if p.startswith(("network request", "failed load"))]
    con = [p for p in problems if p.startswith(("console", "exception"))]
    font = [p for p in problems if "font" in p]
    a4 = [p for p in problems if "A4" in p and "legend" not in p]
    legend = [p for p in problems if p.startswith("A4 legend")]
    results.append(("no network request", net))
    results.append(("no console error or warning, no exception", con))
    results.append(("embedded font loads and renders Chinese", font))
    results.append(("prints on A4", a4))
    results.append(("legends print at 8 pt or more", legend))
    return results, facts


def report(results, facts):
    passed = failed = 0
    for name, problems in results:
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems[:10]:
                print(f"     {p}")
        else:
            passed += 1
            print(f"ok   {name}")
    for k, v in facts.items():
        print(f"     {k}: {v}")
    return passed, failed


def self_test(chromium):
    """Each broken page must be caught by the check meant for it."""
    good_css = "body{font-family:sans-serif}"
    cases = {
        "no external URL in the HTML": f"<!DOCTYPE html><html><head><style>{good_css}</style></head>"
        "<body><img src=\"http://127.0.0.1:9/x.png\" alt=\"\"></body></html>",
        "no network request": "<!DOCTYPE html><html><head><style>body{background:url(/tmp/none.png)}</style>"
        "</head><body>x</body></html>",
        "no console error or warning, no exception": "<!DOCTYPE html><html><head><style>@font-face{}</style>"
        "</head><body onload=\"console.error('broken')\">x</body></html>",
        "legends print at 8 pt or more": "<!DOCTYPE html><html><head><style>@font-face{}"
        ".legend{font-size:6pt}</style></head><body><figure><div class=\"legend\">x</div></figure></body></html>",
        "embedded font loads and renders Chinese": "<!DOCTYPE html><html><head><style>"
        "@font-face{font-family:catchment-cjk;src:url(data:font/otf;base64,AAAA)}"
        "body{font-family:catchment-cjk}</style></head><body>学校</body></html>",
    }
    passed = failed = 0
    with tempfile.TemporaryDirectory() as d:
        for rule, html in cases.items():
            page = pathlib.Path(d) / "page.html"
            page.write_text(html, encoding="utf-8")
            results, _ = check(chromium, page)
            caught = dict(results)[rule]
            if caught:
                passed += 1
                print(f"ok   self-test: caught ({rule}): {caught[0][:100]}")
            else:
                failed += 1
                print(f"FAIL self-test: not caught ({rule})")
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", nargs="?", type=pathlib.Path, help="report.html")
    ap.add_argument("--screenshot", help="write a PNG of the whole page here")
    ap.add_argument("--self-test", action="store_true", help="check that broken pages are caught")
    a = ap.parse_args()
    chromium = find_chromium()
    if a.self_test:
        passed, failed = self_test(chromium)
    else:
        if a.report is None or not a.report.is_file():
            ap.error(f"no report file: {a.report}")
        results, facts = check(chromium, a.report, a.screenshot)
        passed, failed = report(results, facts)
    print(f"report_check: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
