"""Writing a command's outputs: names that cannot escape the output folder, files whose permissions follow the umask,
and all of a run's files committed together.

``OutputSet`` is opened *before* the computation (so an unwritable folder fails at once, not after an hour of
simulation). Each file is written into a hidden staging folder beside its target (``.sibrisk-tmp-<pid>-*``); only when
every file is written are they moved into place, one ``os.replace`` each. A failure removes the staging folder; a
killed run leaves it behind, and the next run in that folder removes it (its process no longer exists), so no partial
file ever sits where an output is expected.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from sibrisk.errors import SibriskError

STAGING_PREFIX = ".sibrisk-tmp-"
MAX_NAME = 120  # characters of a file name's stem (file systems allow 255 bytes; CJK takes 3 bytes each)


def safe_name(text: str, fallback: str = "output") -> str:
    """A file-name stem from ``text`` that stays inside its folder: letters (any script), digits, ``-``, ``_`` and
    ``.`` kept; path separators, NUL, control and other characters become ``_``; no leading dot; at most
    ``MAX_NAME`` characters."""
    text = unicodedata.normalize("NFC", str(text))
    out = re.sub(r"[^\w.\-]", "_", text, flags=re.UNICODE).strip("._ ")
    out = re.sub(r"_+", "_", out)[:MAX_NAME].rstrip("._ ")
    return out or fallback


MANIFEST = ".sibrisk-outputs.json"  # per output folder: file name -> the input file that wrote it


def _manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove staging folders of runs that no longer exist (a killed run); returns what was removed."""
    removed = []
    if not folder.is_dir():
        return removed
    for p in folder.glob(f"{STAGING_PREFIX}*"):
        m = re.match(rf"{re.escape(STAGING_PREFIX)}(\d+)-", p.name)
        if p.is_dir() and m and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


class OutputSet:
    """The files one command will write, staged and committed together.

    >>> with OutputSet([out / "a.nc", out / "a.png"]) as outs:   # checks the folders are writable, cleans leftovers
    ...     compute(); write(outs.stage(out / "a.nc")); draw(outs.stage(out / "a.png"))
    ... # on leaving without an error: both moved into place; on an error: nothing replaced, staging removed
    """

    def __init__(self, targets: list[Path], *, source: str | Path | None = None, overwrite: bool = False):
        self.targets = [Path(t) for t in targets]
        resolved = [t.resolve() for t in self.targets]
        if len(set(resolved)) != len(resolved):
            twice = sorted({str(t) for t, r in zip(self.targets, resolved) if resolved.count(r) > 1})
            raise SibriskError(f"two outputs would be written to the same file: {', '.join(twice)} (check --plot)")
        self.source = str(Path(source).resolve()) if source is not None else None
        self._staging: dict[Path, Path] = {}
        self.removed_leftovers: list[Path] = []
        if self.source is not None and not overwrite:
            for t in self.targets:
                owner = _manifest(t.parent).get(t.name)
                if t.exists() and owner and owner != self.source:
                    raise SibriskError(f"{t} holds the output of another input file ({owner}); choose another --out "
                                       "folder or pass --overwrite")
        try:
            for folder in dict.fromkeys(t.parent for t in self.targets):
                folder.mkdir(parents=True, exist_ok=True)
                self.removed_leftovers += clean_leftovers(folder)
                self._staging[folder] = Path(tempfile.mkdtemp(dir=folder, prefix=f"{STAGING_PREFIX}{os.getpid()}-"))
        except OSError as e:
            self.abort()
            raise SibriskError(f"cannot write outputs to {e.filename or folder}: {e.strerror}") from None
        for t in self.targets:
            if t.is_dir():
                self.abort()
                raise SibriskError(f"{t} is a folder; an output file of that name cannot be written")

    def stage(self, target: Path) -> Path:
        """Where to write ``target`` now (it is moved into place by ``commit``)."""
        target = Path(target)
        if target not in self.targets:
            raise KeyError(target)
        return self._staging[target.parent] / target.name

    def commit(self) -> list[Path]:
        missing = [t for t in self.targets if not self.stage(t).exists()]
        if missing:
            self.abort()
            raise SibriskError(f"outputs not written: {', '.join(map(str, missing))}")
        for t in self.targets:
            os.replace(self.stage(t), t)
        if self.source is not None:
            for folder in dict.fromkeys(t.parent for t in self.targets):
                owners = _manifest(folder)
                owners.update({t.name: self.source for t in self.targets if t.parent == folder})
                tmp = self._staging[folder] / MANIFEST
                tmp.write_text(json.dumps(owners, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
                os.replace(tmp, folder / MANIFEST)
        self.abort()
        return list(self.targets)

    def abort(self) -> None:
        for d in self._staging.values():
            shutil.rmtree(d, ignore_errors=True)
        self._staging = {k: v for k, v in self._staging.items() if v.exists()}

    def __enter__(self) -> "OutputSet":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def check_writable(folder: str | Path) -> Path:
    """Create ``folder`` if needed and check a file can be written there (before a command computes anything);
    remove a killed run's leftovers."""
    folder = Path(folder)
    OutputSet([folder / "probe"]).abort()
    return folder


def write_files(outputs: dict[Path, bytes], *, source: str | Path | None = None, overwrite: bool = False) -> list[Path]:
    """Write every file (bytes) or none, through an ``OutputSet``; with ``source``, an output another input file
    wrote is not replaced unless ``overwrite``."""
    with OutputSet(list(outputs), source=source, overwrite=overwrite) as outs:
        for path, data in outputs.items():
            with open(outs.stage(path), "wb") as fh:  # open() applies the umask (mkstemp would give 0600)
                fh.write(data)
    return list(outputs)
