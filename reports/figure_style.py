"""The one look of every ccplan figure: colours, rcParams, figure width, target and limit lines,
and PNG output.

Figures are built without ``pyplot`` (no global figure registry, no backend switch): a
:func:`new_figure` has its own Agg canvas, and drawing functions wrapped in :data:`styled` run
inside one :func:`matplotlib.rc_context` of :data:`STYLE`, so nothing leaks into the caller's
settings. Targets are dashed lines, bonus thresholds and caps dotted.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

if TYPE_CHECKING:
    from matplotlib.typing import ColorType, LineStyleType, RcKeyType

__all__ = [
    "COLORS",
    "LIMIT_LINE",
    "STYLE",
    "TARGET_LINE",
    "WIDTH_IN",
    "LineProperties",
    "new_figure",
    "png_bytes",
    "styled",
    "write_pngs",
]

COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
"""The colour cycle (Okabe-Ito, readable with colour-vision deficiencies), black last."""
STYLE: Mapping[RcKeyType, Any] = {
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(COLORS)),
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 1.4,
}
"""The rcParams of every figure."""
WIDTH_IN = 11.0
"""Width of every figure, in inches (1,100 px at :data:`STYLE`'s 100 dpi)."""


class LineProperties(TypedDict):
    """Keyword arguments of a matplotlib line: colour, style and width."""

    color: ColorType
    linestyle: LineStyleType
    linewidth: float


TARGET_LINE: LineProperties = {"color": "#D55E00", "linestyle": "--", "linewidth": 1.5}
"""Line properties of a target."""
LIMIT_LINE: LineProperties = {"color": "#555555", "linestyle": ":", "linewidth": 1.5}
"""Line properties of a bonus threshold or a cap."""

styled = mpl.rc_context(rc=dict(STYLE))
"""Decorator: the function draws inside :data:`STYLE`."""


def new_figure(height_in: float) -> Figure:
    """An empty figure :data:`WIDTH_IN` wide and ``height_in`` high, on its own Agg canvas."""
    figure = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes (Agg)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, facecolor="white")
    return buffer.getvalue()


def write_pngs(pngs: Mapping[str, bytes], directory: str | Path) -> list[Path]:
    """Write ``<stem>.png`` files into an existing ``directory``; returns their paths."""
    paths = []
    for stem, data in pngs.items():
        path = Path(directory) / f"{stem}.png"
        path.write_bytes(data)
        paths.append(path)
    return paths
