"""The payload zip: written deterministically by ``build``, read on a kiosk as if it were hostile.

Even inside a correctly signed bundle (a leaked key, a buggy build machine) the kiosk refuses, for the
whole archive and without trying to "clean" it:

* member names that are absolute, contain ``..``, empty parts, drive letters or backslashes, or are not
  a content file type (``safepath``); two names that collide on a case-insensitive file system;
* symlinks, devices, FIFOs and directories (zip has no hard links; a symlink is a Unix mode in the
  external attributes), encrypted members, compression other than stored/deflate, data descriptors;
* local headers that disagree with the central directory, members that overlap or leave gaps, bytes
  before the first member (the "overlapping entries" zip bomb and parser-confusion tricks);
* members the signed manifest does not list, listed files that are absent, sizes that disagree;
* too many members, too much unpacked data (declared and as actually inflated), a compression ratio
  beyond the limit.

Extraction writes each member with ``O_EXCL``/``O_NOFOLLOW`` into a fresh folder, counts the bytes as they
come out of the decompressor, and compares size and SHA-256 with the manifest.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.safepath import collision_key, name_problem
from kiosk.bundle.signedmanifest import FileEntry, SignedManifest

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_ALREADY_COMPRESSED = {".png", ".jpg", ".jpeg", ".webp"}
_CHUNK = 256 * 1024


def write_payload(root: Path, relative_paths: Iterable[str], out: Path) -> list[FileEntry]:
    """Zip ``relative_paths`` (under ``root``) in sorted order with fixed times and modes, so the same
    content always gives the same bytes and the same SHA-256; returns what was written."""
    entries: list[FileEntry] = []
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for relative in sorted(relative_paths):
            info = zipfile.ZipInfo(relative, date_time=_FIXED_TIME)
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            compressed = Path(relative).suffix.lower() not in _ALREADY_COMPRESSED
            info.compress_type = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
            data = (root / relative).read_bytes()
            archive.writestr(info, data, compresslevel=9)
            entries.append(FileEntry(relative, len(data), hashlib.sha256(data).hexdigest()))
    return entries


def extract_payload(
    zip_path: Path,
    manifest: SignedManifest,
    destination: Path,
    limits: Limits,
    after_each_file: Callable[[str], None] = lambda _: None,
) -> None:
    """Check the archive, then unpack every listed file into ``destination`` (which must be empty)."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = inspect(archive, zip_path, manifest, limits)
            total = 0
            for entry in manifest.files:
                total += _extract_one(archive, members[entry.path], entry, destination, limits, total)
                after_each_file(entry.path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        raise BundleRefused("corrupt", f"the payload archive is damaged: {error}") from error


def inspect(
    archive: zipfile.ZipFile, zip_path: Path, manifest: SignedManifest, limits: Limits
) -> dict[str, zipfile.ZipInfo]:
    """Every structural check that can be made before inflating a byte; returns members by name."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise BundleRefused(
            "too-many-files", f"the archive has {len(infos)} members (limit {limits.max_files})"
        )
    seen: dict[str, str] = {}
    for info in infos:
        _check_member(info)
        key = collision_key(info.filename)
        if key in seen:
            raise BundleRefused(
                "duplicate-name", f"the archive holds {info.filename!r} and {seen[key]!r}: the same file"
            )
        seen[key] = info.filename
    _check_layout(zip_path, infos, getattr(archive, "start_dir", None))

    members = {info.filename: info for info in infos}
    listed = {entry.path: entry for entry in manifest.files}
    unlisted = sorted(set(members) - set(listed))
    if unlisted:
        raise BundleRefused(
            "unlisted-file", f"the archive holds files its manifest does not list: {unlisted[:5]}"
        )
    absent = sorted(set(listed) - set(members))
    if absent:
        raise BundleRefused(
            "missing-file", f"files listed in the manifest are not in the archive: {absent[:5]}"
        )
    declared_total = 0
    for name, info in members.items():
        if info.file_size != listed[name].size:
            raise BundleRefused(
                "size-mismatch",
                f"{name}: the archive says {info.file_size} bytes, the manifest {listed[name].size}",
            )
        declared_total += info.file_size
        if info.file_size > limits.ratio_exempt_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise BundleRefused(
                    "ratio", f"{name} would inflate {ratio:.0f} times (limit {limits.max_ratio:.0f})"
                )
    if declared_total > limits.max_unpacked_bytes:
        raise BundleRefused(
            "too-big", f"the archive unpacks to {declared_total} bytes (limit {limits.max_unpacked_bytes})"
        )
    return members


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind and stat.S_ISLNK(mode):
        raise BundleRefused("link-entry", f"{name!r} is a symbolic link")
    if kind and not stat.S_ISREG(mode):
        raise BundleRefused("special-entry", f"{name!r} is not a regular file (mode {mode:o})")
    if info.is_dir() or info.external_attr & 0x10:
        raise BundleRefused("special-entry", f"{name!r} is a folder entry")
    problem = name_problem(name)
    if problem:
        raise BundleRefused("unsafe-path", f"archive member {name!r}: {problem}")
    if info.flag_bits & 0x1:
        raise BundleRefused("unsupported", f"{name!r} is encrypted")
    if info.flag_bits & 0x8:
        raise BundleRefused("unsupported", f"{name!r} uses a data descriptor (sizes not known up front)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise BundleRefused("unsupported", f"{name!r} uses compression method {info.compress_type}")


def _check_layout(zip_path: Path, infos: list[zipfile.ZipInfo], central_directory: int | None) -> None:
    """Members must tile the file from byte 0 to the central directory: no overlap, no gap, and each
    local header must name the same file as its central directory record."""
    expected = 0
    with zip_path.open("rb") as handle:
        for info in sorted(infos, key=lambda item: item.header_offset):
            if info.header_offset < expected:
                raise BundleRefused("overlap", f"{info.filename!r} overlaps the member before it")
            if info.header_offset > expected:
                raise BundleRefused("corrupt", f"unexplained bytes before {info.filename!r}")
            handle.seek(info.header_offset)
            fixed = handle.read(_LOCAL_HEADER.size)
            if len(fixed) != _LOCAL_HEADER.size:
                raise BundleRefused("corrupt", f"{info.filename!r}: local header cut short")
            fields = _LOCAL_HEADER.unpack(fixed)
            signature, compressed_size = fields[0], fields[7]
            name_length, extra_length = fields[9], fields[10]
            local_name = handle.read(name_length)
            if signature != _LOCAL_SIGNATURE or local_name != _raw_name(info):
                raise BundleRefused(
                    "corrupt", f"{info.filename!r}: local header disagrees with the central directory"
                )
            if compressed_size not in (info.compress_size, 0xFFFFFFFF):
                raise BundleRefused("corrupt", f"{info.filename!r}: local and central sizes differ")
            header_size = _LOCAL_HEADER.size + name_length + extra_length
            expected = info.header_offset + header_size + info.compress_size
    if central_directory is not None and expected != central_directory:
        relation = "overlaps" if expected > central_directory else "leaves a gap before"
        raise BundleRefused("overlap" if expected > central_directory else "corrupt",
                            f"the last member {relation} the central directory")


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    return info.orig_filename.encode(encoding)


def _extract_one(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entry: FileEntry,
    destination: Path,
    limits: Limits,
    unpacked_so_far: int,
) -> int:
    target = destination.joinpath(*entry.path.split("/"))
    if not target.resolve().is_relative_to(destination.resolve()):
        raise BundleRefused("unsafe-path", f"{entry.path!r} would land outside the bundle folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    digest = hashlib.sha256()
    written = 0
    with archive.open(info) as source, os.fdopen(os.open(target, flags, 0o644), "wb") as sink:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > entry.size:
                raise BundleRefused("size-mismatch", f"{entry.path} inflates past its declared size")
            if unpacked_so_far + written > limits.max_unpacked_bytes:
                raise BundleRefused("too-big", "the archive unpacks past the size limit")
            digest.update(chunk)
            sink.write(chunk)
        sink.flush()
        os.fsync(sink.fileno())
    if written != entry.size:
        raise BundleRefused("size-mismatch", f"{entry.path}: {written} bytes, the manifest says {entry.size}")
    if digest.hexdigest() != entry.sha256:
        raise BundleRefused("hash-mismatch", f"{entry.path}: SHA-256 differs from the manifest")
    return written
