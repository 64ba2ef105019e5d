"""A picture of the estate: every home a small square coloured by its household's trust.

Homes are drawn patch by patch: each housing officer's patch is a block of
homes in street order (the order of the neighbour network's ring), and blocks
are separated by a white gap, so patches are visible at a glance. With several
neighbourhoods, patches never span two, so the blocks follow the model's own
patches (``households.officer``), of differing sizes. A dark dot
marks the households chosen by ``mark`` (by default those who took part in
the last year). The picture is built with NumPy and encoded as a PNG, which
takes a few milliseconds for the default 6,000 homes; no network edges are
drawn.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np
from matplotlib import colormaps
from numpy.typing import NDArray
from PIL import Image

from model.model import TrustModel
from model.submodels import YEAR

__all__ = ["MARKS", "TRUST_LUT", "estate_png", "layout", "legend_png", "marked", "patch_layout", "patch_sizes"]

#: What the dots can show: label -> description for the legend.
MARKS: dict[str, str] = {
    "took part": "took part in the last year",
    "panel seat": "holds a panel or board seat",
    "digitally excluded": "cannot use online services",
    "under-represented": "from an under-represented group",
    "nothing": "",
}
#: Colour map of trust, from low (red) through yellow to high (green).
TRUST_COLOURS = colormaps["RdYlGn"]
#: The trust colours as 256 RGB rows, low to high (the picture's and the neighbourhood table's).
TRUST_LUT = (TRUST_COLOURS(np.linspace(0.0, 1.0, 256))[:, :3] * 255).astype(np.uint8)
_LUT = TRUST_LUT
_BACKGROUND = np.array([255, 255, 255], dtype=np.uint8)
_DOT = np.array([20, 20, 60], dtype=np.uint8)


def _cell_size(homes: int) -> int:
    return 4 if homes <= 20_000 else 2


def layout(homes: int, patch_size: int) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """:func:`patch_layout` of one estate cut into patches of ``patch_size`` homes (the last may be smaller)."""
    full, rest = divmod(homes, patch_size)
    return patch_layout((patch_size,) * full + ((rest,) if rest else ()))


@lru_cache(maxsize=32)
def patch_layout(sizes: tuple[int, ...]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Which home each pixel shows (-1 for the gaps between patches) and which pixels are a home's centre.

    Each patch is a block of homes in street order, about 1.2 times as wide
    as tall (blocks are sized for the largest patch); blocks are laid out in
    rows, one home's width apart.

    Args:
        sizes: Homes in each officer's patch, in street order (with several
            neighbourhoods, patches never span two, so their sizes differ).

    Returns:
        ``(slots, centre)``: two arrays of the picture's shape.
    """
    homes, patches, largest = sum(sizes), len(sizes), max(sizes)
    block_w = math.ceil(math.sqrt(largest * 1.2))
    block_h = math.ceil(largest / block_w)
    across = max(1, round(math.sqrt(patches * 1.3 * block_h / block_w)))
    down = math.ceil(patches / across)
    cells = np.full((down * (block_h + 1) - 1, across * (block_w + 1) - 1), -1, dtype=np.int64)
    firsts = np.concatenate([[0], np.cumsum(sizes)])
    for patch in range(patches):
        top, left = (patch // across) * (block_h + 1), (patch % across) * (block_w + 1)
        block = np.full(block_w * block_h, -1, dtype=np.int64)
        slots = np.arange(firsts[patch], firsts[patch + 1])
        block[: slots.size] = slots
        cells[top : top + block_h, left : left + block_w] = block.reshape(block_h, block_w)
    size = _cell_size(homes)
    pixels = np.repeat(np.repeat(cells, size, axis=0), size, axis=1)
    inner = np.zeros((size, size), dtype=bool)
    inner[size // 4 : size - size // 4, size // 4 : size - size // 4] = True
    centre = np.tile(inner, cells.shape) & (pixels >= 0)
    return pixels, centre


def marked(model: TrustModel, mark: str) -> NDArray[np.bool_]:
    """Which households carry a dot for ``mark`` (one of :data:`MARKS`).

    Raises:
        ValueError: ``mark`` is not one of :data:`MARKS`.
    """
    h = model.households
    if mark == "took part":
        return h.took_part_within(model.week, YEAR)
    if mark == "panel seat":
        return h.active.copy()
    if mark == "digitally excluded":
        return ~h.digital
    if mark == "under-represented":
        return h.underrepresented.copy()
    if mark == "nothing":
        return np.zeros(h.size, dtype=bool)
    raise ValueError(f"mark = {mark!r}; allowed: {', '.join(MARKS)}")


def estate_png(model: TrustModel, mark: str = "took part") -> bytes:
    """The estate as a PNG: homes coloured by trust, dots on marked households, gaps between officers' patches."""
    slots, centre = patch_layout(patch_sizes(model))
    colour = _LUT[np.clip((model.households.trust * 255).astype(np.int64), 0, 255)]
    picture = colour[np.maximum(slots, 0)]
    picture[slots < 0] = _BACKGROUND
    dots = centre & marked(model, mark)[np.maximum(slots, 0)]
    picture[dots] = _DOT
    return _png(picture)


def patch_sizes(model: TrustModel) -> tuple[int, ...]:
    """Homes in each officer's patch of ``model``, in street order."""
    return tuple(np.bincount(model.households.officer).tolist())


@lru_cache(maxsize=1)
def legend_png() -> bytes:
    """A horizontal bar of the trust colours, low (left) to high (right)."""
    bar = np.repeat(_LUT[np.newaxis, :, :], 12, axis=0)
    return _png(bar)


def _png(picture: NDArray[np.uint8]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(picture), mode="RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
