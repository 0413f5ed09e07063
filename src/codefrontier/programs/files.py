"""Files the programs package writes and moves into the sandbox: atomic writes, and tar
archives of workspaces built and read in memory (never extracted on the host)."""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import stat
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from codefrontier.errors import InputError

MAX_ARCHIVE_MEMBERS = 20_000


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write to a temporary name beside `path`, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class TarBuilder:
    """An uncompressed tar built in memory; names are checked to stay inside the archive."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buffer, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 - closed in getvalue()
        self.names: set[str] = set()

    def add_bytes(self, name: str, data: bytes, mode: int = 0o644) -> None:
        name = safe_member_name(name)
        self._parents(name)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = mode
        self.tar.addfile(info, io.BytesIO(data))
        self.names.add(name)

    def add_symlink(self, name: str, target: str) -> None:
        name = safe_member_name(name)
        self._parents(name)
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        self.tar.addfile(info)
        self.names.add(name)

    def add_dir(self, name: str) -> None:
        name = safe_member_name(name)
        if name in self.names:
            return
        self._parents(name)
        info = tarfile.TarInfo(name)
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        self.tar.addfile(info)
        self.names.add(name)

    def _parents(self, name: str) -> None:
        for parent in reversed(PurePosixPath(name).parents[:-1]):
            self.add_dir(str(parent))

    def add_tree(self, root: Path, prefix: str = "") -> None:
        """Every file, directory and symbolic link under `root` (modes kept: executables stay executable)."""
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            name = f"{prefix}{rel}"
            if path.is_symlink():
                self.add_symlink(name, os.readlink(path))
            elif path.is_dir():
                self.add_dir(name)
            elif path.is_file():
                mode = 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644
                self.add_bytes(name, path.read_bytes(), mode)

    def getvalue(self) -> bytes:
        self.tar.close()
        return self.buffer.getvalue()


def safe_member_name(name: str) -> str:
    """A relative path that cannot leave the workspace (no `..`, no absolute path)."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".")]
    if not parts or parts[0] == "/" or ".." in parts:
        raise InputError(f"archive member {name!r} would land outside the workspace")
    return "/".join(parts)


def read_archive(path: Path) -> list[tuple[str, str, bytes | str, int]]:
    """Members of a submission (a folder, .zip, .tar, .tar.gz or .tgz) as
    (name, kind, data or link target, mode) with kind in {file, symlink, dir}."""
    import zipfile

    members: list[tuple[str, str, bytes | str, int]] = []
    if path.is_dir():
        for item in sorted(path.rglob("*")):
            rel = item.relative_to(path).as_posix()
            if item.is_symlink():
                members.append((rel, "symlink", os.readlink(item), 0o777))
            elif item.is_dir():
                members.append((rel, "dir", b"", 0o755))
            elif item.is_file():
                mode = 0o755 if item.stat().st_mode & stat.S_IXUSR else 0o644
                members.append((rel, "file", item.read_bytes(), mode))
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                mode = (info.external_attr >> 16) & 0o7777
                kind = "dir" if info.is_dir() else "file"
                if stat.S_ISLNK(info.external_attr >> 16):
                    members.append((info.filename, "symlink", zf.read(info).decode(errors="replace"), 0o777))
                else:
                    members.append(
                        (info.filename, kind, b"" if kind == "dir" else zf.read(info), mode or 0o644)
                    )
    elif path.is_file():
        try:
            with tarfile.open(path) as tf:
                for info in tf.getmembers():
                    if info.issym():
                        members.append((info.name, "symlink", info.linkname, 0o777))
                    elif info.isdir():
                        members.append((info.name, "dir", b"", info.mode))
                    elif info.isfile():
                        fh = tf.extractfile(info)
                        members.append((info.name, "file", fh.read() if fh else b"", info.mode))
                    # hard links, devices and fifos are dropped: a submission is source files
        except tarfile.TarError as exc:
            raise InputError(f"not a folder, zip or tar archive ({exc})", path=path) from None
    else:
        raise InputError("submission not found", path=path)
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise InputError(f"more than {MAX_ARCHIVE_MEMBERS} files in the submission", path=path)
    return members


def tar_members(data: bytes) -> Iterable[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        yield from tf.getmembers()


def read_tar_file(data: bytes, name: str, max_hops: int = 8) -> bytes | None:
    """The bytes of `name` in a tar, following symbolic links inside the archive; None
    when it is missing, not a regular file, or a link that leaves the archive."""
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        index = {m.name.rstrip("/"): m for m in tf.getmembers()}
        current = safe_member_name(name)
        for _ in range(max_hops):
            member = index.get(current)
            if member is None:
                return None
            if member.isfile():
                fh = tf.extractfile(member)
                return fh.read() if fh else None
            if not member.issym() or member.linkname.startswith("/"):
                return None
            try:
                current = safe_member_name(
                    posixpath.normpath(posixpath.join(posixpath.dirname(current), member.linkname))
                )
            except InputError:
                return None
    return None
