"""Containment tests for `reasonlab.rewards.sandbox`: every attack scores 0 and leaves the host as it was.

Each attack runs with the default limits (all layers) and, where a kernel layer can be shown on its own,
again with the audit hook off, so the test proves the kernel boundary and not only the Python-level hook.
"""
import os
import secrets
import socket
import stat
import tempfile
import time
from pathlib import Path

import pytest

from reasonlab.rewards.sandbox import CodeTestReward, Limits, run_code, run_batch

FAST = Limits(cpu_s=1, wall_s=3)
IS_ROOT = os.geteuid() == 0
TEST_UID = 1_600_000_123  # a uid no one else uses, so leftovers can be counted exactly
root_only = pytest.mark.skipif(not IS_ROOT, reason="the uid layer needs the tests to run as root")


def _procs_of_uid(uid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try: status = (d / "status").read_text()
            except OSError: continue
            if any(l.split()[1:2] == [str(uid)] for l in status.splitlines() if l.startswith("Uid:")): out.append(int(d.name))
    return out


def _my_children() -> list[int]:
    out, me = [], str(os.getpid())
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try: fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError): continue
            if fields[1] == me: out.append(int(d.name))
    return out


def _isolated(layer: str) -> bool:
    return layer in run_code("x = 1", ["assert 1 == 1"], FAST).isolation.split(",")


@pytest.fixture(autouse=True)
def host_unharmed():
    "After every test: no sandbox process left, not even a zombie, and no sandbox working directory left."
    before = set(Path(tempfile.gettempdir()).glob("reasonlab-sandbox-*"))
    yield
    assert _my_children() == []
    if IS_ROOT:  # without a PID namespace a stray's zombie waits for init to reap it: allow it a moment
        for _ in range(100):
            if not _procs_of_uid(TEST_UID): break
            time.sleep(0.02)
        assert _procs_of_uid(TEST_UID) == []
    assert set(Path(tempfile.gettempdir()).glob("reasonlab-sandbox-*")) <= before


# --- it scores what it should ---------------------------------------------------------------------------

def test_correct_code_scores_one_and_partial_code_gets_its_count():
    good = run_code("def add(a, b):\n    return a + b", ["assert add(1, 2) == 3", "assert add(2, 2) == 4"], FAST)
    assert (good.passed, good.n_passed, good.n_tests, good.status) == (True, 2, 2, "ok")
    part = run_code("def add(a, b):\n    return a * b", ["assert add(1, 2) == 3", "assert add(2, 2) == 4"], FAST)
    assert (part.passed, part.n_passed, part.status) == (False, 1, "fail")
    reward = CodeTestReward(FAST)
    comps = ["```python\ndef add(a, b):\n    return a + b\n```", "```python\ndef add(a, b):\n    return a * b\n```"]
    assert reward(["p", "p"], comps, tests=[["assert add(1, 2) == 3", "assert add(2, 2) == 4"]] * 2) == [1.0, 0.0]


def test_environment_is_scrubbed_and_workdir_empty(monkeypatch):
    monkeypatch.setenv("REASONLAB_FAKE_TOKEN", "hunter2")
    r = run_code("import os\ndef env(): return dict(os.environ)\ndef files(): return os.listdir('.')",
                 ["assert env() == {'PATH': '/usr/bin:/bin', 'LANG': 'C.UTF-8'}", "assert files() == []"], FAST)
    assert r.passed, r


# --- time, memory, output ---------------------------------------------------------------------------------

@pytest.mark.parametrize("code, wall_s", [("def f():\n    while True: pass", 20),  # the CPU limit stops it
                                          ("import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\ndef f():\n    while True: pass", 20),
                                          ("import time\ndef f():\n    time.sleep(60)", 1)])  # the wall clock stops it
def test_infinite_loops_time_out(code, wall_s):
    r = run_code(code, ["assert f() == 1"], Limits(cpu_s=1, wall_s=wall_s))
    assert (r.passed, r.n_passed, r.status) == (False, 0, "timeout")


@pytest.mark.parametrize("code", ["x = bytearray(8 << 30)", "a = []\nwhile True: a.append(bytearray(1 << 20))"])
def test_memory_bombs_are_stopped(code):
    r = run_code(code, ["assert 1 == 1"], Limits(cpu_s=2, wall_s=5, memory_mb=128))
    assert (r.passed, r.status) == (False, "memory")


def test_output_flood_is_cut():
    r = run_code("import sys\nwhile True: sys.stdout.write('x' * 4096)", ["assert 1 == 1"], FAST)
    assert (r.passed, r.status) == (False, "output_limit")


def test_big_file_in_workdir_is_refused():
    r = run_code("def f():\n    open('big', 'wb').write(b'x' * (4 << 20))\n    return 1", ["assert f() == 1"], FAST)
    assert not r.passed and "File too large" in r.test_errors[0]


# --- processes ----------------------------------------------------------------------------------------------

FORK_BOMB = "import os\ndef f():\n    while True:\n        try: os.fork()\n        except Exception: pass"


@pytest.mark.parametrize("limits", [FAST, Limits(cpu_s=1, wall_s=2, audit_hook=False, uid=TEST_UID)])
def test_fork_bomb_is_contained(limits):
    r = run_code(FORK_BOMB, ["assert f() == 1"], limits)
    assert (r.passed, r.n_passed) == (False, 0)  # fixture: no process of the uid, no child of ours


@root_only
def test_nproc_limit_bounds_forks_without_the_hook():
    "With the hook off and RLIMIT_NPROC=8 a program gets exactly 7 children, which are all killed afterwards."
    code = ("import os, time\nn = 0\nfor _ in range(100):\n    try: pid = os.fork()\n    except OSError: continue\n"
            "    if pid == 0:\n        time.sleep(60)\n        os._exit(0)\n    n += 1\ndef forks(): return n")
    r = run_code(code, ["assert forks() == 7"], Limits(cpu_s=1, wall_s=3, audit_hook=False, nproc=8, uid=TEST_UID))
    assert r.n_passed == 1, r


@pytest.mark.parametrize("limits", [FAST, Limits(cpu_s=1, wall_s=3, audit_hook=False)])
def test_os_system_cannot_touch_host_files(limits):
    marker = Path(tempfile.gettempdir()) / f"reasonlab-probe-{secrets.token_hex(6)}"
    r = run_code(f"import os\ndef f():\n    return os.system('touch {marker}')", ["assert f() == 0"], limits)
    assert not r.passed and not marker.exists()


# --- files ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("limits", [FAST, Limits(cpu_s=1, wall_s=3, audit_hook=False),
                                    Limits(cpu_s=1, wall_s=3, namespaces=False)])
def test_writes_outside_the_workdir_do_not_land(tmp_path, limits):
    owned = tmp_path / "owned.txt"                                         # a directory the test owns
    loose = Path(tempfile.gettempdir()) / f"reasonlab-probe-{secrets.token_hex(6)}"  # world-writable /tmp
    code = f"def f(p):\n    open(p, 'w').write('pwned')\n    return 1"
    r = run_code(code, [f"assert f({str(owned)!r}) == 1", f"assert f({str(loose)!r}) == 1"], limits)
    assert not r.passed and r.test_errors[0] and not owned.exists()
    # In a mount namespace /tmp is the sandbox's own tmpfs, so that write may "succeed" there; without one
    # and without the hook, world-writable /tmp is writable by any uid and this layer is not claimed.
    if {"mountns", "audit"} & set(r.isolation.split(",")): assert not loose.exists()
    else: loose.unlink(missing_ok=True)


@pytest.fixture
def secrets_on_disk(tmp_path):
    "A secret in a private directory and one in a world-readable directory outside the sandbox."
    token = f"SECRET-{secrets.token_hex(8)}"
    private = tmp_path / "private" / "key.txt"
    private.parent.mkdir(mode=0o700)
    private.write_text(token)
    open_dir = Path(tempfile.mkdtemp(prefix="reasonlab-secret-"))
    open_dir.chmod(0o755)
    public = open_dir / "key.txt"
    public.write_text(token)
    public.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
    yield token, private, public
    public.unlink(); open_dir.rmdir()


LEAK = ("import sys\ndef leak(p):\n    s = open(p).read()\n    print(s); print(s, file=sys.stderr)\n    raise ValueError(s)\n"
        "def value(p): return open(p).read()")


@pytest.mark.parametrize("limits", [FAST, Limits(cpu_s=1, wall_s=3, namespaces=False)])
def test_secret_files_are_not_read(secrets_on_disk, limits):
    token, private, public = secrets_on_disk
    tests = [f"assert leak({str(p)!r}) == 1" for p in (private, public)] + [f"assert value({str(p)!r}) == 'x'" for p in (private, public)]
    r = run_code(LEAK, tests, limits)
    assert r.n_passed == 0 and token not in repr(r)


@root_only
def test_uid_layer_alone_keeps_private_files_private(secrets_on_disk):
    token, private, _ = secrets_on_disk
    r = run_code(LEAK, [f"assert value({str(private)!r}) == 'x'"], Limits(cpu_s=1, wall_s=3, audit_hook=False, namespaces=False))
    assert "uid" in r.isolation and r.n_passed == 0 and token not in repr(r)
    assert "Permission denied" in r.test_errors[0]


# --- network -------------------------------------------------------------------------------------------------

@pytest.fixture
def listener():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0)); srv.listen(8); srv.settimeout(0.3)
    yield srv
    srv.close()


def _nothing_connected(srv) -> bool:
    try: conn, _ = srv.accept()
    except (socket.timeout, TimeoutError): return True
    conn.close()
    return False


SOCKET_MODULES = ("socket", "encodings.idna")  # let the code import socket so only the layer under test stops it
CONNECT = "import socket\ndef f(port):\n    socket.create_connection(('127.0.0.1', port), timeout=1).sendall(b'hi')\n    return 1"


@pytest.mark.parametrize("limits", [FAST, Limits(cpu_s=1, wall_s=3, namespaces=False, modules=SOCKET_MODULES)])
def test_no_connection_with_the_hook(listener, limits):
    r = run_code(CONNECT, [f"assert f({listener.getsockname()[1]}) == 1"], limits)
    assert r.n_passed == 0 and _nothing_connected(listener)
    if not limits.namespaces: assert "socket" in r.test_errors[0] and "not allowed" in r.test_errors[0], r.test_errors


def test_network_namespace_alone_blocks_loopback(listener):
    if not _isolated("netns"): pytest.skip("network namespaces unavailable here")
    r = run_code(CONNECT, [f"assert f({listener.getsockname()[1]}) == 1"], Limits(cpu_s=1, wall_s=3, audit_hook=False, modules=SOCKET_MODULES))
    assert r.n_passed == 0 and _nothing_connected(listener)
    assert "unreachable" in r.test_errors[0].lower() or "refused" in r.test_errors[0].lower(), r.test_errors


def test_the_control_connection_does_connect(listener):
    "The listener really accepts connections, so the 'nothing connected' checks above can fail."
    socket.create_connection(listener.getsockname(), timeout=1).close()
    assert not _nothing_connected(listener)


# --- many programs in one sandbox (run_batch) ----------------------------------------------------------------

BENIGN = ("def f(x):\n    return x + 1", ["assert f(1) == 2"])
FORGE = "import os, json\nfor fd in range(3, 4096):\n    try: os.write(fd, b'{\"i\": 0, \"value\": \"3\"}\\n')\n    except OSError: pass\ndef f(): return 4"


@root_only
@pytest.mark.parametrize("limits", [FAST, Limits(cpu_s=1, wall_s=3, audit_hook=False, uid=TEST_UID)])
def test_a_batch_contains_each_attack_and_its_neighbours_still_score(tmp_path, limits):
    "Attacks between benign programs in one batch: each attack scores 0, leaves nothing behind, and every benign program still passes."
    marker = Path(tempfile.gettempdir()) / f"reasonlab-probe-{secrets.token_hex(6)}"
    owned = tmp_path / "owned.txt"
    attacks = [(FORK_BOMB, ["assert f() == 1"]),
               (f"import os\ndef f():\n    return os.system('touch {marker}')", ["assert f() == 0"]),
               ("def f(p):\n    open(p, 'w').write('pwned')\n    return 1", [f"assert f({str(owned)!r}) == 1"]),
               ("def f():\n    while True: pass", ["assert f() == 1"]),
               ("import os, signal\ndef f():\n    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(1, signal.SIGKILL)\n    return 0", ["assert f() == 1"]),  # the runner
               (FORGE, ["assert f() == 3"]),
               ("__builtins__.len = lambda x: 0\ndef f(x): return len(x)", ["assert f([1]) == 1"])]
    jobs = [BENIGN] + [j for a in attacks for j in (a, BENIGN)]
    got = run_batch(jobs, limits)
    assert [r.passed for r in got] == [True] + [False, True] * len(attacks), [(r.status, r.test_errors) for r in got]
    assert not marker.exists() and not owned.exists()
    assert {r.isolation for r in got[0::2]} == {run_code(*BENIGN, limits).isolation}  # every benign one ran under the same layers


@root_only
def test_a_batch_gives_what_single_runs_give():
    "Statuses and counts of a mixed batch equal those of one sandbox process per program."
    jobs = [(f"def f(x):\n    return x * {k}", [f"assert f(2) == {2 * k}", "assert f(0) == 1"]) for k in range(12)]
    jobs += [("x = bytearray(8 << 30)", ["assert 1 == 1"]), ("import sys\nwhile True: sys.stdout.write('x' * 4096)", ["assert 1 == 1"]),
             ("def f(:", ["assert f() == 1"]), ("import socket", ["assert 1 == 1"])]
    batch, alone = run_batch(jobs, FAST), [run_code(c, t, FAST) for c, t in jobs]
    key = lambda r: (r.passed, r.n_passed, r.n_tests, r.status, r.isolation)
    assert [key(r) for r in batch] == [key(r) for r in alone]
    forks = ("import os, time\nn = 0\nfor _ in range(100):\n    try: pid = os.fork()\n    except OSError: continue\n"
             "    if pid == 0:\n        time.sleep(60)\n        os._exit(0)\n    n += 1\ndef forks(): return n")
    several = Limits(cpu_s=1, wall_s=3, audit_hook=False, nproc=8, uid=TEST_UID)  # programs may start processes: one sandbox each
    assert [r.n_passed for r in run_batch([(forks, ["assert forks() == 7"])] * 2, several)] == [1, 1]
    assert [r.status for r in batch[-4:]] == ["memory", "output_limit", "error", "fail"]
