"""Reading TOML and table files (CSV, xlsx) with errors that name the file, the field (column, row) and the value,
and writing several output files so that either all of them are replaced or none is (the shared readers re-exported
for the performance modules)."""

from __future__ import annotations

from pathlib import Path

from sibrisk._outputs import write_files
from sibrisk._validation import read_toml, validate  # noqa: F401  (re-exported)


# ------------------------------------------------------------------------------------------------ writing
def write_all(outputs: dict[Path, bytes], *, source: str | Path | None = None, overwrite: bool = False) -> list[Path]:
    """Write every file, or none: all are written into a staging folder beside their targets first and moved into
    place together once all are written (``sibrisk._outputs``); permissions follow the umask; a killed run's staging
    folder is removed by the next run. With ``source`` (the input file), an output another input file wrote is kept
    unless ``overwrite``."""
    return write_files(outputs, source=source, overwrite=overwrite)
