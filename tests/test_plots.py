"""Charts: no backend chosen on import; a CJK font installed after matplotlib built its cache is found; without
one, labels fall back to English with a warning (never empty boxes)."""

import subprocess
import sys

import pytest
from matplotlib import font_manager

from sibrisk import plots


def test_importing_plots_does_not_choose_a_backend():
    code = ("import matplotlib; matplotlib.use('svg'); import sibrisk.plots; "
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "svg"


@pytest.fixture
def fresh_cjk_cache():
    plots.cjk_font.cache_clear()
    yield
    plots.cjk_font.cache_clear()


def test_font_installed_after_the_cache_is_found(monkeypatch, fresh_cjk_cache):
    fm = font_manager.fontManager
    monkeypatch.setattr(fm, "ttflist", [f for f in fm.ttflist if f.name not in plots.CJK_FONTS])
    added = []

    def addfont(path):
        added.append(path)
        fm.ttflist.append(font_manager.FontEntry(fname=path, name="Noto Sans CJK SC"))

    monkeypatch.setattr(fm, "addfont", addfont)
    monkeypatch.setattr(font_manager, "findSystemFonts",
                        lambda *a, **k: ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"])
    assert plots.cjk_font() == "Noto Sans CJK SC"
    assert added == ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]  # only the CJK file, not every font
    assert plots.label("balance months", "可支付月数") == "balance months (可支付月数)"


def test_no_cjk_font_english_labels_and_a_warning(monkeypatch, fresh_cjk_cache):
    fm = font_manager.fontManager
    monkeypatch.setattr(fm, "ttflist", [f for f in fm.ttflist if f.name not in plots.CJK_FONTS])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        assert plots.cjk_font() is None
    assert plots.label("balance months", "可支付月数") == "balance months"
