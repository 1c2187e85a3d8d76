"""What a researcher sees, in a real browser (`make check-browser`; optional, not part of `make test`).

Needs Chromium (`apt-get install chromium`) and the `lab` extra. Builds the docs site, then with headless Chromium:
- the docs site's Shuffle-R1 page: a screenshot, and its text must hold the claims table;
- JupyterLab (started here on a free port, no token) opening `nbs/papers/shuffle_r1.ipynb`: a screenshot, and the
  rendered page must show the notebook's cells with the `reasonlab` kernel and no "Select Kernel" dialog.
Screenshots go to `outputs/screenshots/`. Exit 1 with the reason if a check fails.

    python tools/check_browser.py
"""
import os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT/"outputs"/"screenshots"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if p := shutil.which(name): return p
    sys.exit("no Chromium: apt-get install chromium (this check is optional)")


def browse(url: str, shot: Path, wait_ms: int = 15000, size=(1400, 1000)) -> str:
    "Screenshot `url` into `shot` and return the rendered DOM (after `wait_ms` of virtual time)."
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={size[0]},{size[1]}",
            f"--virtual-time-budget={wait_ms}"]
    subprocess.run(base + [f"--screenshot={shot}", url], capture_output=True, timeout=180)
    return subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True, timeout=180).stdout


def not_blank(png: Path) -> bool:
    from PIL import Image
    im = Image.open(png).convert("RGB").resize((200, 140))
    return len(set(im.get_flattened_data() if hasattr(im, "get_flattened_data") else im.getdata())) > 40


def free_port() -> int:
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT/"tools")); import build_docs
    site = ROOT/"_docs"
    if bad := build_docs.build(site): sys.exit(f"docs: {len(bad)} broken links")
    failures = []
    dom = browse((site/"papers"/"shuffle-r1.html").as_uri(), SHOTS/"docs-shuffle-r1.png", 3000)
    if "Results of the last reproduction" not in dom or "<table" not in dom: failures.append("docs page: no claims table")
    if not not_blank(SHOTS/"docs-shuffle-r1.png"): failures.append("docs page: blank screenshot")
    port = free_port()
    lab = subprocess.Popen([str(Path(sys.executable).parent/"jupyter-lab"), "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.token=",
                            "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={ROOT}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"})
    try:
        for _ in range(120):
            try: urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2); break
            except Exception: time.sleep(1)
            if lab.poll() is not None: sys.exit(f"JupyterLab exited with code {lab.returncode} before serving")
        else: sys.exit("JupyterLab did not answer within 2 minutes")
        dom = browse(f"http://127.0.0.1:{port}/lab/tree/nbs/papers/shuffle_r1.ipynb", SHOTS/"lab-shuffle-r1.png", 30000)
        if "Select Kernel" in dom: failures.append("JupyterLab asks to select a kernel")
        if "Pairwise Trajectory Sampling" not in dom: failures.append("JupyterLab did not render the notebook")
        if "reasonlab" not in dom: failures.append("JupyterLab shows no reasonlab kernel")
        if not not_blank(SHOTS/"lab-shuffle-r1.png"): failures.append("JupyterLab: blank screenshot")
    finally:
        lab.terminate(); lab.wait(timeout=30)
    print("screenshots:", *sorted(p.name for p in SHOTS.glob("*.png")))
    if failures: sys.exit("browser check failed: " + "; ".join(failures))
    print("browser check passed")


if __name__ == "__main__":
    main()
