"""The kiosk under cage, the Wayland kiosk compositor it is deployed with, as a test can drive and photograph it.

cage refuses to run as root, so a root test process starts it as an unprivileged user (CAGE_USER, made by
`scripts/setup --dev`); any other user runs it as themselves. The compositor gets a fresh private
XDG_RUNTIME_DIR, and its application is tests/e2e/cage_driver.py (see there for the READY protocol).

Output sizes: wlroots' headless backend (the plain recipe) has one 1280x720 output, and cage 0.1.4 has no
output management (wlr-randr cannot change the mode). Other sizes use wlroots' X11 backend instead: cage's
output is a window on a private Xvfb of that size, resized to fill it, which wlroots follows. The kiosk is
a Wayland client of cage either way.

When that user cannot read the interpreter, the virtual environment or the checkout (a clone under /root),
they are staged once per test run in a folder it can read: hard links (in /tmp or /var/tmp, whichever is on
the same mount) for the interpreter's standard library and the environment's site-packages, a copy of the
checkout's sources.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CAGE_USER = "kiosk-cage"
HEADLESS_SIZE = (1280, 720)
SOURCE_FOLDERS = ("kiosk", "tests", "content", "resources", "translations")
START_SECONDS = 60.0  # launch to the first READY, on a busy two-core machine
STEP_SECONDS = 30.0
TOOLS = {"cage": "cage", "Xwayland": "xwayland", "grim": "grim"}
X11_TOOLS = {"Xvfb": "xvfb", "xdotool": "xdotool"}


class CageError(RuntimeError):
    pass


@dataclass(frozen=True)
class Account:
    """Who runs the compositor: uid/gid to switch to (None: the test process's own user)."""

    name: str
    uid: int | None
    gid: int | None

    @property
    def switches(self) -> bool:
        return self.uid is not None


def missing_tools() -> list[str]:
    """Debian packages (scripts/setup --dev installs them) whose programs are not on PATH."""
    needed = {**TOOLS, **X11_TOOLS}
    return [package for program, package in needed.items() if shutil.which(program) is None]


def compositor_account() -> Account | str:
    """The account for cage, or why there is none."""
    if os.geteuid() != 0:
        return Account(pwd.getpwuid(os.geteuid()).pw_name, None, None)
    try:
        entry = pwd.getpwnam(CAGE_USER)
    except KeyError:
        return f"cage refuses to run as root and there is no user {CAGE_USER!r} (scripts/setup --dev makes it)"
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _as_account(account: Account) -> dict:
    """Popen arguments that start a process as ``account``."""
    if not account.switches:
        return {}
    return {"user": account.uid, "group": account.gid, "extra_groups": []}


@dataclass(frozen=True)
class Runtime:
    """How ``account`` starts the kiosk's Python: the command and the environment it needs."""

    python: list[str]
    env: dict[str, str]
    stage: Path | None = None  # a staged copy to delete at the end

    def command(self, module: str, *args: str) -> list[str]:
        return [*self.python, "-m", module, *args]


def shared_tmp() -> Path:
    """A temporary folder every user can reach: the usual one unless TMPDIR points somewhere private."""
    usual = Path(tempfile.gettempdir()).resolve()
    reachable = all(folder.stat().st_mode & 0o001 for folder in (usual, *usual.parents))
    return usual if reachable else Path("/tmp")


def _in_place() -> Runtime:
    return Runtime([sys.executable], {"PYTHONPATH": str(REPO_ROOT)})


def _works_for(account: Account, runtime: Runtime) -> bool:
    probe = "import PySide6.QtWidgets, kiosk, tests.e2e.cage_driver"
    try:
        result = subprocess.run([*runtime.python, "-c", probe], env={"PATH": "/usr/bin:/bin", **runtime.env},
                                cwd="/", capture_output=True, timeout=60, check=False, **_as_account(account))
    except PermissionError:  # the interpreter itself is out of reach
        return False
    return result.returncode == 0


def _link_tree(source: Path, target: Path) -> None:
    """Hard links where the file system allows them (instant, no space), else copies."""
    result = subprocess.run(["cp", "-a", "--link", str(source), str(target)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        if source.is_dir() and not source.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, symlinks=True)
        else:
            target.unlink(missing_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)


def _stage_base(sample: Path) -> Path:
    """Where to stage: the first reachable temporary folder on the same mount as ``sample`` (hard links work
    only within one mount), else the shared one (a real copy, slower)."""
    candidates = [shared_tmp(), Path("/var/tmp")]
    for base in candidates:
        if not base.is_dir() or not all(folder.stat().st_mode & 0o001 for folder in (base, *base.parents)):
            continue
        trial = Path(tempfile.mkdtemp(prefix="kiosk-cage-link-", dir=base))
        try:
            os.link(sample, trial / "sample")
            return base
        except OSError:
            continue
        finally:
            shutil.rmtree(trial, ignore_errors=True)
    return candidates[0]


def _stage(base: Path) -> Runtime:
    """The interpreter, its standard library, the environment's packages and the sources, where any user can
    read them."""
    stage = Path(tempfile.mkdtemp(prefix="kiosk-cage-stage-", dir=base))
    stage.chmod(0o755)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    home = stage / "python"
    (home / "bin").mkdir(parents=True)
    (home / "lib" / version).mkdir(parents=True)
    interpreter = Path(os.path.realpath(sys.executable))
    shutil.copy2(interpreter, home / "bin" / version)
    # A shared libpython (pyenv builds one) is found next to the interpreter through LD_LIBRARY_PATH.
    libdir = Path(sysconfig.get_config_var("LIBDIR") or "")
    for library in libdir.glob(f"lib{version}*.so*") if libdir.is_dir() else []:
        shutil.copy2(library, home / "lib" / library.name, follow_symlinks=True)
    stdlib = Path(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["stdlib"])
    for entry in stdlib.iterdir():
        if entry.name not in ("site-packages", "dist-packages"):
            _link_tree(entry, home / "lib" / version / entry.name)
    if (stdlib.parent / "lib-dynload").is_dir() and not (stdlib / "lib-dynload").is_dir():  # Debian's layout
        _link_tree(stdlib.parent / "lib-dynload", home / "lib" / version / "lib-dynload")
    packages = Path(sysconfig.get_paths()["purelib"])
    _link_tree(packages, stage / "site-packages")
    source = stage / "src"
    source.mkdir()
    for folder in SOURCE_FOLDERS:
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run(["chmod", "-R", "go+rX", str(source)], check=True)
    env = {"PYTHONHOME": str(home), "PYTHONPATH": f"{source}:{stage / 'site-packages'}",
           "LD_LIBRARY_PATH": str(home / "lib")}
    return Runtime([str(home / "bin" / version), "-s"], env, stage)


def prepare_runtime(account: Account) -> Runtime:
    """The kiosk's Python as ``account`` can run it: in place when it can read everything, else staged."""
    runtime = _in_place()
    if not account.switches or _works_for(account, runtime):
        return runtime
    staged = _stage(_stage_base(Path(os.path.realpath(sys.executable))))
    if not _works_for(account, staged):
        shutil.rmtree(staged.stage, ignore_errors=True)
        raise CageError(f"user {account.name!r} cannot run the kiosk's Python even from a staged copy "
                        "(are the environment's files readable by others?)")
    return staged


@dataclass
class Ready:
    step: str
    facts: dict

    @property
    def regions(self) -> dict[str, list[int]]:
        return self.facts["regions"]


@dataclass
class DriverProcess:
    """A process running tests/e2e/cage_driver.py: read its READY lines, answer them, stop it."""

    process: subprocess.Popen
    log: Path
    helpers: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        self._pending = b""

    def _line(self, deadline: float) -> str:
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CageError(f"no answer from the kiosk in time\n{self.log_tail()}")
            if self._selector.select(min(remaining, 0.5)):
                chunk = os.read(self.process.stdout.fileno(), 65536)  # type: ignore[union-attr]
                if not chunk:
                    self.process.wait(timeout=10)
                    raise CageError(f"the kiosk ended ({self.process.returncode}) before it was ready\n"
                                    f"{self.log_tail()}")
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode(errors="replace")

    def wait_ready(self, seconds: float = STEP_SECONDS) -> Ready:
        deadline = time.monotonic() + seconds
        while True:
            line = self._line(deadline)
            if line.startswith("READY "):
                _, step, facts = line.split(" ", 2)
                return Ready(step, json.loads(facts))

    def say(self, command: str = "next") -> str | None:
        """Send a command; for ``grab`` return the driver's answer line."""
        self.process.stdin.write(f"{command}\n".encode())  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        if command.startswith("grab "):
            return self._line(time.monotonic() + STEP_SECONDS)
        return None

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def wait_exit(self, seconds: float = STEP_SECONDS) -> int:
        return self.process.wait(timeout=seconds)

    def stop(self) -> None:
        """Ends the driver, the compositor and whatever they started (their own process groups)."""
        for process in (self.process, *self.helpers):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        # Xwayland and the driver, if cage left them behind, until nothing of the groups is left.
        for process in (self.process, *self.helpers):
            _end_group(process.pid)
        self._selector.close()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


def _end_group(group: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.05)  # killed processes linger until their new parent (init) has reaped them
    raise CageError(f"processes of group {group} are still running after SIGKILL")


# Any valid public key: nothing is delivered from these sessions.
SAMPLE_PUBLIC_KEY = "d8I/EbEFdZXXIS3pt2+8S0PFsZJe2tRlbbndZwQtTUs="


def start_xvfb(size: tuple[int, int], env: dict[str, str], log: Path, **popen) -> tuple[subprocess.Popen, str]:
    """A private X server of ``size``; returns it and its DISPLAY."""
    read_end, write_end = os.pipe()
    with log.open("ab") as out:
        server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{size[0]}x{size[1]}x24",
                                   "-nolisten", "tcp"], pass_fds=(write_end,), env=env, stdout=out, stderr=out,
                                  stdin=subprocess.DEVNULL, start_new_session=True, **popen)
    os.close(write_end)
    number = b""
    with os.fdopen(read_end, "rb") as reader:
        selector = selectors.DefaultSelector()
        selector.register(reader, selectors.EVENT_READ)
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            if selector.select(0.5):
                chunk = os.read(reader.fileno(), 64)
                if not chunk:
                    break
                number += chunk
        selector.close()
    if not number.strip():
        server.kill()
        server.wait()
        raise CageError(f"Xvfb did not start\n{log.read_text(errors='replace')[-2000:]}")
    return server, f":{number.decode().strip()}"


@dataclass
class CageKiosk:
    """One kiosk under cage: its runtime folder, the compositor with the driver, and screenshots by grim."""

    account: Account
    runtime: Runtime
    size: tuple[int, int]
    # cage's headless output (only 1280x720), or an output that is a window on a private Xvfb (any size).
    # grim photographs the headless one black once the kiosk's window exactly fills it: cage then hands the
    # client's buffer to the output directly (scan-out), and the copy grim gets is empty. Tests judged by
    # pixels use the X11-backed output; the kiosk is a Wayland client of cage either way.
    headless: bool = True
    folder: Path = field(init=False)
    driver: DriverProcess = field(init=False)

    def start(self, steps: list[str]) -> CageKiosk:
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-cage-run-", dir=shared_tmp()))  # 0700, as it must be
        (self.folder / "home").mkdir()
        (self.folder / "kiosk-home").mkdir()
        if self.account.switches:
            for path in (self.folder, self.folder / "home", self.folder / "kiosk-home"):
                os.chown(path, self.account.uid, self.account.gid)  # type: ignore[arg-type]
        log = self.folder / "session.log"
        log.touch()
        base_env = {"PATH": "/usr/bin:/bin", "HOME": str(self.folder / "home"), "LANG": "C.UTF-8",
                    "XDG_RUNTIME_DIR": str(self.folder)}
        env = {**base_env, "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman",
               # The kiosk, as the service unit starts it, with the test suite's quiet voice.
               "QT_QPA_PLATFORM": "wayland", "QT_QUICK_BACKEND": "software",
               "KIOSK_HOME": str(self.folder / "kiosk-home"), "KIOSK_SPEECH_ENGINE": "mock",
               # A kiosk that takes requests (the form asks nothing of a kiosk without the hospital's key).
               "KIOSK_DELIVERY_HOSPITAL_PUBLIC_KEY": SAMPLE_PUBLIC_KEY,
               "PYTHONDONTWRITEBYTECODE": "1", **self.runtime.env}
        helpers = []
        driver_args = []
        if self.headless:
            if self.size != HEADLESS_SIZE:
                raise CageError(f"cage's headless output is {HEADLESS_SIZE[0]}x{HEADLESS_SIZE[1]}, not {self.size}")
            env["WLR_BACKENDS"] = "headless"
        else:
            server, display = start_xvfb(self.size, base_env, log, **_as_account(self.account))
            helpers.append(server)
            env.update(WLR_BACKENDS="x11", DISPLAY=display)
            driver_args = ["--size", f"{self.size[0]}x{self.size[1]}"]
        command = ["cage", "-d", "--", *self.runtime.command("tests.e2e.cage_driver", *driver_args, *steps)]
        with log.open("ab") as out:
            process = subprocess.Popen(command, env=env, cwd=self.folder, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=out, start_new_session=True,
                                       **_as_account(self.account))
        self.driver = DriverProcess(process, log, helpers)
        if helpers:
            try:
                self._fill_x_screen(env["DISPLAY"], base_env)
            except BaseException:
                self.close()
                raise
        return self

    def _fill_x_screen(self, display: str, env: dict[str, str]) -> None:
        """Resize cage's output window (wlroots makes it 1024x768) to the X screen; wlroots follows the
        window's size with the output's mode."""
        env = {**env, "DISPLAY": display}

        def xdotool(*args: str) -> list[str]:
            result = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=10,
                                    check=False, **_as_account(self.account))
            return result.stdout.split()

        root = set(xdotool("search", "--maxdepth", "0", "--name", ""))
        deadline = time.monotonic() + START_SECONDS
        while True:
            windows = [window for window in xdotool("search", "--maxdepth", "1", "--onlyvisible", "--name", "")
                       if window not in root]
            if windows:
                break
            if self.driver.process.poll() is not None or time.monotonic() > deadline:
                raise CageError(f"cage's output window never appeared\n{self.driver.log_tail()}")
            time.sleep(0.1)
        for window in windows:
            xdotool("windowsize", window, str(self.size[0]), str(self.size[1]))

    def wait_ready(self, seconds: float = START_SECONDS) -> Ready:
        return self.driver.wait_ready(seconds)

    def next(self) -> None:
        self.driver.say("next")

    def screenshot(self, out: Path) -> Path:
        """The compositor's pixels (grim), saved to ``out``."""
        shot = self.folder / "grim.png"
        env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(self.folder), "WAYLAND_DISPLAY": "wayland-0"}
        result = subprocess.run(["grim", str(shot)], env=env, capture_output=True, text=True, timeout=30,
                                check=False, **_as_account(self.account))
        if result.returncode != 0:
            raise CageError(f"grim failed ({result.returncode}): {result.stderr}\n{self.driver.log_tail()}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, out)
        shot.unlink()
        return out

    def close(self) -> None:
        """Stop everything this session started and remove its runtime folder; safe whatever state it is in."""
        with contextlib.suppress(AttributeError):
            self.driver.stop()
        with contextlib.suppress(AttributeError):
            shutil.rmtree(self.folder, ignore_errors=True)
