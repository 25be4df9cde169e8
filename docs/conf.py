"""Sphinx configuration of the sibrisk documentation (issue 19).

Sphinx with MyST (Markdown pages, executed notebooks through myst-nb) and the pydata theme: the tools the
scientific-Python projects this one learns from use (lifelib: Sphinx + pydata theme + notebook gallery; xclim: an
indicator catalogue generated from its registry). The reference pages (command line, scenario file format,
indicator catalogue, API) are generated from the code by ``_ext/sibrisk_reference.py`` when the build starts.
Build: ``python -m sphinx -W -b html docs docs/_build/html`` (warnings are errors).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import sibrisk  # noqa: E402

project = "sibrisk"
author = "the sibrisk developers"
copyright = "2026, the sibrisk developers"
version = release = sibrisk.__version__

extensions = [
    "myst_nb",                  # Markdown (MyST) pages and notebooks
    "sphinx.ext.autodoc",       # the API reference from the docstrings
    "sphinx.ext.mathjax",
    "sibrisk_reference",        # generated reference pages
]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3        # a stable URL per section (#heading-anchors), to cite
# notebooks and the guide's pictures: executed through a cache (jupyter-cache) so that an unchanged page is not run
# again (the test suite builds it so too, tests/test_docs.py); SIBRISK_DOCS_EXECUTE=off skips them for a quick look
nb_execution_mode = os.environ.get("SIBRISK_DOCS_EXECUTE", "cache")
nb_execution_timeout = 900
nb_execution_raise_on_error = True

autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": False}

exclude_patterns = ["_build", "_ext", "jupyter_execute", ".jupyter_cache", "reference/generated"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

html_theme = "pydata_sphinx_theme"
html_title = f"sibrisk {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
