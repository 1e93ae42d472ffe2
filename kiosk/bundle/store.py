"""Installed bundles on a kiosk, and which one is shown.

Layout under ``kiosk.paths.bundles_dir()`` (kept across app upgrades and reinstalls)::

    state.json              which bundle is active, the activation history, the highest version ever
                            installed (rollback protection), the bundles marked bad and the bundle files
                            refused (so a watched folder never checks the same bad file twice)
    versions/<v>-<sha12>/   one installed bundle: content/ + the signed manifest it came with
    staging/<token>/        a bundle being unpacked and checked; <token>.lock is held by its owner
    events.log              one line per install, refusal, rollback (for IT: "why didn't it update?")
    lock                    held while the store changes (the kiosk and the CLI may both use it)

Why this is crash-safe: a bundle is unpacked, fsynced and checked in staging, moved into ``versions/``
with one rename, and becomes active only when ``state.json`` is atomically replaced (temp file, fsync,
``os.replace``, fsync of the folder). A kill at any moment leaves either the old state (the new folder is
an orphan, deleted when the store next opens) or the new one. Leftover staging folders are recognised by
their lock being free (the kernel releases it when the owner dies) and deleted on open.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from nacl.signing import VerifyKey

from kiosk.bundle import active
from kiosk.bundle.archive import Verified, read_signed_file
from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.faultpoint import checkpoint
from kiosk.bundle.fsutil import file_sha256, fsync_dir, fsync_tree, remove_tree, write_atomic
from kiosk.bundle.install import CONTENT_DIR, SIGNED_FILE, Policy, peek, unpack
from kiosk.bundle.lockfile import FileLock
from kiosk.bundle.manifest import Manifest, ManifestError, load_manifest
from kiosk.bundle.signedmanifest import SignedManifest, format_time
from kiosk.bundle.validate import Problem
from kiosk.config import Config

log = logging.getLogger("kiosk.bundle")

STATE_FILE = active.STATE_FILE
EVENTS_FILE = "events.log"
_MAX_EVENTS_BYTES = 256 * 1024
_MAX_BAD = 20
_MAX_REFUSED = 50
# Refusals that say nothing lasting about the file: an older bundle left on a stick is refused for its
# version and stays quiet; a bundle the store could not unpack (disk full) is tried again.
_NOT_REMEMBERED = frozenset({"rollback", "unreadable"})


class StoreError(RuntimeError):
    """A store operation that cannot be done (nothing to roll back to, store busy)."""


@dataclass
class _State:
    bundle_id: str | None = None
    highest_version: int = 0
    history: list[str] = field(default_factory=list)  # activation order; the last one is active
    bad: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)  # see BundleStore.remember_refusal

    @property
    def active(self) -> str | None:
        return self.history[-1] if self.history else None

    def to_json(self) -> bytes:
        data = {"format": 1, "bundle_id": self.bundle_id, "highest_version": self.highest_version,
                "history": self.history, "bad": self.bad, "refused": self.refused}
        return (json.dumps(data, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True)
class InstalledBundle:
    name: str
    manifest: SignedManifest
    content: Path
    active: bool


class StagedBundle:
    """A bundle unpacked and checked in staging, ready for ``BundleStore.activate``.

    It holds a lock so that no other process's clean-up deletes it; call ``discard()`` (or use it as a
    context manager) if it will not be activated.
    """

    def __init__(self, verified: Verified, source: Path, folder: Path, lock: FileLock,
                 warnings: list[Problem], allow_older: bool) -> None:
        self.manifest = verified.manifest
        self.keyid = verified.keyid
        self.source = source
        self.folder = folder
        self.warnings = warnings
        self.allow_older = allow_older
        self._lock = lock

    @property
    def content(self) -> Path:
        return self.folder / CONTENT_DIR

    @property
    def done(self) -> bool:
        return not self._lock.held

    def discard(self) -> None:
        if self.done:
            return
        remove_tree(self.folder)
        self._release()

    def _release(self) -> None:
        self._lock.release()
        self._lock.path.unlink(missing_ok=True)

    def __enter__(self) -> StagedBundle:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.discard()


class BundleStore:
    def __init__(
        self,
        root: Path,
        *,
        trusted_keys: Sequence[VerifyKey] = (),
        limits: Limits | None = None,
        keep: int = 3,
        languages: Sequence[str] | None = None,
        shipped: Path | None = None,
    ) -> None:
        self.root = root
        self.versions = root / active.VERSIONS_DIR
        self.staging = root / "staging"
        self.trusted_keys = tuple(trusted_keys)
        self.limits = limits or Limits()
        self.keep = max(1, keep)
        self.languages = tuple(languages) if languages is not None else None
        self.shipped = shipped
        self._mutex = threading.RLock()
        for folder in (self.root, self.versions, self.staging):
            folder.mkdir(parents=True, exist_ok=True)
        if not (root / STATE_FILE).exists() and not any(self.versions.iterdir()):
            # A fresh store writes its (empty) state first, so that later a missing state.json can only
            # mean damage, never "nothing installed yet".
            self._write_state(_State())
        self.recover()

    @classmethod
    def from_config(cls, config: Config, root: Path | None = None) -> BundleStore:
        """The kiosk's store as configured; raises ``KeyFileError`` for a malformed trusted key."""
        from kiosk import paths
        from kiosk.bundle.signing import parse_public_key

        return cls(
            root or paths.bundles_dir(),
            trusted_keys=[parse_public_key(text) for text in config["bundles.trusted_keys"]],
            limits=Limits.from_config(config),
            keep=int(config["bundles.keep"]),
            languages=list(config["languages.enabled"]),
            shipped=paths.shipped_content_dir(),
        )

    # --- what is shown --------------------------------------------------------------------------------
    def active_root(self) -> Path | None:
        """Content folder to show, or None for the shipped ``content/`` (nothing installed, or the app
        was upgraded with newer content than the installed bundle)."""
        name = self._read_state().active
        content = active.content_for(self.root, name, self.shipped)
        if name is not None and not (self.versions / name / CONTENT_DIR).is_dir():
            log.error("active bundle %s is missing; showing the shipped content", name)
        return content

    def active_name(self) -> str | None:
        return self._read_state().active

    def installed(self) -> list[InstalledBundle]:
        state = self._read_state()
        result = []
        for name in state.history:
            with suppress(OSError, ValueError, BundleRefused):
                manifest = read_signed_file(self.versions / name / SIGNED_FILE)
                result.append(InstalledBundle(name, manifest, self.versions / name / CONTENT_DIR,
                                              name == state.active))
        return result

    def highest_version(self) -> int:
        return self._floor(self._read_state())

    def bad(self) -> list[str]:
        return list(self._read_state().bad)

    def last_events(self, count: int = 10) -> list[dict[str, Any]]:
        try:
            lines = (self.root / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        events = []
        for line in lines[-count:]:
            with suppress(ValueError):
                events.append(json.loads(line))
        return events

    # --- installing -----------------------------------------------------------------------------------
    def policy(self, allow_older: bool = False) -> Policy:
        state = self._read_state()
        return Policy(
            trusted_keys=self.trusted_keys,
            limits=self.limits,
            languages=self.languages,
            floor_version=self._floor(state),
            bundle_id=self._expected_bundle_id(state),
            allow_older=allow_older,
        )

    def peek(self, file: Path, allow_older: bool = False) -> SignedManifest:
        """Would ``file`` be accepted? Signature and policy only (nothing is unpacked). A refusal is logged
        in events.log and remembered like one found while unpacking."""
        try:
            return peek(file, self.policy(allow_older)).manifest
        except BundleRefused as refusal:
            # An older bundle left in a watched folder is normal and stays quiet; everything else is said
            # in events.log (an unreadable file without being remembered: it may read fine next time).
            if refusal.reason != "rollback":
                log.warning("bundle %s refused: %s", file, refusal)
                self.record_refusal(str(file), refusal, file)
            raise

    # --- refusals -------------------------------------------------------------------------------------
    def record_refusal(self, source: str, refusal: BundleRefused, file: Path | None = None) -> None:
        """Log a refusal in events.log and remember it for ``refused()`` (``kiosk bundle list``): a file by
        its bytes (``refusal_of``), a download refused before it was complete (too big, too slow) by its
        address, which is tried again at the next poll."""
        self._event("refused", file=source, reason=refusal.reason, message=refusal.message)
        if refusal.reason in _NOT_REMEMBERED:
            return
        with suppress(OSError, StoreError):
            if file is not None:
                self._remember(file, refusal)
            else:
                self._remember_entry({"file": source, "size": None, "mtime_ns": None, "sha256": None,
                                      "reason": refusal.reason, "message": refusal.message},
                                     same=lambda old: old.get("file") == source and old.get("size") is None)

    def forget_download_refusal(self, source: str) -> None:
        """The address's download succeeded: its earlier refusal no longer describes it."""
        state = self._read_state()
        if not any(entry.get("file") == source and entry.get("size") is None for entry in state.refused):
            return
        with suppress(OSError, StoreError), self._exclusive(timeout=5.0):
            state = self._read_state()
            state.refused = [entry for entry in state.refused
                             if not (entry.get("file") == source and entry.get("size") is None)]
            self._write_state(state)

    def refusal_of(self, file: Path) -> dict[str, Any] | None:
        """The remembered refusal of this bundle file (the same bytes, wherever they are now), or None.

        Cheap for a file already seen (name, size and modification time); a file of the same size as a
        refused one elsewhere is hashed. A refusal counts only while the kiosk's checks are unchanged
        (trusted keys, limits, languages, app version): a newly trusted key is given its chance.
        """
        try:
            stat = file.stat()
        except OSError:
            return None
        policy = self._policy_fingerprint()
        candidates = [entry for entry in self._read_state().refused
                      if entry.get("policy") == policy and entry.get("size") == stat.st_size]
        for entry in candidates:
            if entry.get("file") == str(file) and entry.get("mtime_ns") == stat.st_mtime_ns:
                return entry
        if candidates:
            try:
                digest = file_sha256(file)
            except OSError:
                return None
            return next((entry for entry in candidates if entry.get("sha256") == digest), None)
        return None

    def refused(self) -> list[dict[str, Any]]:
        """Remembered refusals, oldest first: file, size, sha256, reason, message, time."""
        return [dict(entry) for entry in self._read_state().refused]

    def _remember(self, file: Path, refusal: BundleRefused) -> None:
        stat = file.stat()
        digest = file_sha256(file)
        self._remember_entry({"file": str(file), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                              "sha256": digest, "reason": refusal.reason, "message": refusal.message},
                             same=lambda old: old.get("sha256") == digest)

    def _remember_entry(self, entry: dict[str, Any], same: Callable[[dict[str, Any]], bool]) -> None:
        """Add a refusal to state.json, replacing the one ``same`` recognises and those made under other
        checks."""
        entry = {**entry, "time": format_time(datetime.now(UTC)), "policy": self._policy_fingerprint()}
        with self._exclusive(timeout=5.0):
            state = self._read_state()
            kept = [old for old in state.refused if not same(old) and old.get("policy") == entry["policy"]]
            state.refused = [*kept, entry][-_MAX_REFUSED:]
            self._write_state(state)

    def _policy_fingerprint(self) -> str:
        from kiosk import __version__
        from kiosk.bundle.signing import key_id

        parts = [__version__, repr(self.limits), repr(self.languages),
                 *sorted(key_id(key) for key in self.trusted_keys)]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]

    def stage(self, file: Path, allow_older: bool = False) -> StagedBundle:
        """Verify and unpack ``file`` into staging and check its content; nothing visible changes."""
        try:
            policy = self.policy(allow_older)
            verified = peek(file, policy)
            checkpoint("verified")
            with self._exclusive():
                token = secrets.token_hex(8)
                lock = FileLock(self.staging / f"{token}.lock")
                lock.try_acquire()
                folder = self.staging / token
                folder.mkdir()
            try:
                warnings = unpack(verified, folder, policy)
            except BaseException:
                remove_tree(folder)
                lock.release()
                lock.path.unlink(missing_ok=True)
                raise
        except BundleRefused as refusal:
            log.warning("bundle %s refused: %s", file, refusal)
            self.record_refusal(str(file), refusal, file)
            raise
        except OSError as error:
            # A full disk or a stick pulled out half-way says nothing about the bundle: try again later.
            log.warning("bundle %s could not be staged: %s", file, error)
            raise StoreError(f"could not unpack {file.name}: {error}") from error
        return StagedBundle(verified, file, folder, lock, warnings, allow_older)

    def activate(self, staged: StagedBundle) -> Path:
        """Make a staged bundle the active one (atomic); returns its content folder."""
        if staged.done:
            raise StoreError("this staged bundle was already activated or discarded")
        manifest = staged.manifest
        name = manifest.name
        with self._exclusive():
            state = self._read_state()
            floor = self._floor(state)
            if manifest.version <= floor and not staged.allow_older:
                staged.discard()
                raise BundleRefused("rollback", f"version {manifest.version} is not above {floor} any more")
            target = self.versions / name
            if state.active == name:
                staged.discard()
                return target / CONTENT_DIR
            fsync_tree(staged.folder)
            checkpoint("staging synced")
            displaced = None
            if target.exists():
                displaced = self.staging / f"{staged.folder.name}-old"
                os.replace(target, displaced)
                checkpoint("displaced same version")
            os.replace(staged.folder, target)
            fsync_dir(self.versions)
            fsync_dir(self.staging)
            checkpoint("moved into versions")
            history = [entry for entry in state.history if entry != name] + [name]
            dropped = history[: -self.keep]
            state.history = history[-self.keep:]
            state.highest_version = max(state.highest_version, manifest.version)
            state.bundle_id = manifest.bundle_id
            self._write_state(state)
            checkpoint("state replaced")
            for old in dropped:
                remove_tree(self.versions / old)
                checkpoint("pruned")
            if displaced is not None:
                remove_tree(displaced)
            staged._release()
        log.info("bundle %s version %s activated (%s)", manifest.bundle_id, manifest.version, name)
        self._event("activated", name=name, source=str(staged.source), keyid=staged.keyid)
        return target / CONTENT_DIR

    def install(self, file: Path, allow_older: bool = False) -> Path:
        """``stage`` then ``activate`` (the CLI's path; the kiosk app activates at an idle moment)."""
        staged = self.stage(file, allow_older)
        try:
            return self.activate(staged)
        finally:
            staged.discard()

    # --- going back -----------------------------------------------------------------------------------
    def rollback(self) -> Path | None:
        """Show the bundle that was active before this one (None: the shipped content)."""
        return self._step_back(bad=False)

    def mark_bad_and_rollback(self) -> Path | None:
        """The app could not load the active bundle: remember it as bad and bring back the previous one."""
        return self._step_back(bad=True)

    def _step_back(self, bad: bool) -> Path | None:
        with self._exclusive():
            state = self._read_state()
            if not state.history:
                raise StoreError("no installed bundle to roll back from; the shipped content is showing")
            leaving = state.history.pop()
            if bad:
                state.bad = ([*state.bad, leaving])[-_MAX_BAD:]
            self._write_state(state)
            remove_tree(self.versions / leaving)
        if bad:
            log.error("bundle %s marked bad; now showing %s", leaving, state.active or "the shipped content")
        else:
            log.info("rolled back from %s to %s", leaving, state.active or "the shipped content")
        self._event("marked-bad" if bad else "rolled-back", left=leaving, now=state.active)
        return self.active_root()

    # --- integrity ------------------------------------------------------------------------------------
    def verify_installed(self, name: str | None = None) -> list[str]:
        """Re-hash an installed bundle against its signed manifest; [] when every byte is as signed."""

        name = name or self.active_name()
        if name is None:
            return []
        folder = self.versions / name
        try:
            manifest = read_signed_file(folder / SIGNED_FILE)
        except (OSError, ValueError, BundleRefused) as error:
            return [f"{name}: signed manifest unreadable: {error}"]
        content = folder / CONTENT_DIR
        problems = []
        listed = {entry.path for entry in manifest.files}
        present = {path.relative_to(content).as_posix() for path in content.rglob("*") if not path.is_dir()}
        problems += [f"{name}: unexpected file {path}" for path in sorted(present - listed)]
        for entry in manifest.files:
            path = content / entry.path
            if not path.is_file():
                problems.append(f"{name}: missing {entry.path}")
            elif path.stat().st_size != entry.size or file_sha256(path) != entry.sha256:
                problems.append(f"{name}: {entry.path} differs from what was signed")
        return problems

    # --- housekeeping ---------------------------------------------------------------------------------
    def recover(self) -> None:
        """Finish what a crash interrupted: drop dead staging folders, orphaned versions, temp files."""
        try:
            with self._exclusive(timeout=2.0):
                self._clean_staging()
                state = self._read_state()
                complete = [name for name in state.history if self._complete(name)]
                if complete != state.history:
                    missing = sorted(set(state.history) - set(complete))
                    log.error("installed bundles missing from disk: %s", missing)
                    state.history = complete
                    self._write_state(state)
                for folder in self.versions.iterdir():
                    if folder.name not in state.history:
                        remove_tree(folder)
                for temporary in self.root.glob(f".{STATE_FILE}.*.tmp"):
                    temporary.unlink(missing_ok=True)
        except StoreError:
            log.info("bundle store busy; clean-up left to its current user")

    def _clean_staging(self) -> None:
        live: set[str] = set()
        for lock_path in self.staging.glob("*.lock"):
            lock = FileLock(lock_path)
            if lock.try_acquire():
                lock.release()
                lock_path.unlink(missing_ok=True)
            else:
                live.add(lock_path.stem)
        for entry in self.staging.iterdir():
            token = entry.name.split(".")[0].split("-")[0]
            if token not in live and entry.suffix != ".lock":
                remove_tree(entry)

    def _complete(self, name: str) -> bool:
        folder = self.versions / name
        return (folder / CONTENT_DIR).is_dir() and (folder / SIGNED_FILE).is_file()

    @contextmanager
    def _exclusive(self, timeout: float = 30.0) -> Iterator[None]:
        from kiosk.bundle.lockfile import LockBusy

        with self._mutex:
            lock = FileLock(self.root / "lock")
            try:
                lock.acquire(timeout)
            except LockBusy as error:
                raise StoreError("another process is changing the bundle store; try again") from error
            try:
                yield
            finally:
                lock.release()

    def _read_state(self) -> _State:
        path = self.root / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _State(
                bundle_id=data.get("bundle_id"),
                highest_version=int(data.get("highest_version", 0)),
                history=[str(name) for name in data.get("history", [])],
                bad=[str(name) for name in data.get("bad", [])],
                refused=[entry for entry in data.get("refused", []) if isinstance(entry, dict)],
            )
        except (OSError, ValueError, TypeError, AttributeError) as error:
            # Only damage gets here (state.json is replaced atomically and written when the store is
            # created). Fall back to what is on disk: the installed versions, the highest one active, so
            # the kiosk keeps its content and its rollback floor.
            log.error("%s unreadable (%s); rebuilding from installed versions", path, error)
            names = sorted((d.name for d in self.versions.iterdir() if self._complete(d.name)),
                           key=lambda n: _version_of(n) or 0)
            return _State(None, max((_version_of(n) or 0 for n in names), default=0), names[-self.keep:])

    def _write_state(self, state: _State) -> None:
        write_atomic(self.root / STATE_FILE, state.to_json())

    def _floor(self, state: _State) -> int:
        """Versions at or below this are refused: the highest ever installed, whatever folders remain,
        and the shipped content's version."""
        versions = [state.highest_version]
        versions += [_version_of(folder.name) or 0 for folder in self.versions.iterdir()]
        shipped = self._shipped_manifest()
        if shipped is not None and shipped.bundle_id == self._expected_bundle_id(state):
            versions.append(shipped.version)
        return max(versions)

    def _expected_bundle_id(self, state: _State) -> str | None:
        if state.bundle_id:
            return state.bundle_id
        shipped = self._shipped_manifest()
        return shipped.bundle_id if shipped is not None else None

    def _shipped_manifest(self) -> Manifest | None:
        if self.shipped is None:
            return None
        try:
            return load_manifest(self.shipped)
        except ManifestError:
            return None

    def _event(self, kind: str, **details: Any) -> None:
        """Append one line to events.log (best effort: a full disk must not stop the kiosk)."""
        line = json.dumps({"time": format_time(datetime.now(UTC)), "event": kind, **details})
        path = self.root / EVENTS_FILE
        with suppress(OSError):
            if path.exists() and path.stat().st_size > _MAX_EVENTS_BYTES:
                os.replace(path, path.with_suffix(".log.1"))
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")


_version_of = active.version_of
