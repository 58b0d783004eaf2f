"""What every chart needs: a font that draws Chinese, and matplotlib without a display."""

from __future__ import annotations

import functools
import io
from typing import Any

# Fonts with Simplified Chinese that Debian and the usual desktops ship.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


@functools.cache
def cjk_font() -> str | None:
    """The name of an installed font that draws Chinese, if any."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def new_figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def png(figure: Any) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
