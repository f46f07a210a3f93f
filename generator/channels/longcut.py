"""Where a long image is cut, and its parts encoded.

The page is measured in the browser as a list of *atoms*: vertical spans no cut may go
through. They are the blocks of the page (the header, each top-level child of the article's
section, the foot); a block taller than one part is replaced by its children, and text by its
line boxes, so an overlong table is cut between rows and an overlong paragraph between lines.
A cut is then made only in a gap between atoms, greedily: each part takes as many
consecutive atoms as fit in `limit` device pixels (and the cut is then moved towards the
middle of its gap where the next part still fits). Only an atom taller than
`limit` on its own (a very tall image) is cut inside, at `limit`.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence

from PIL import Image

# Blocks (top, bottom) in CSS px relative to the document. `arg` = [selectors of the blocks'
# containers in order, the tallest atom in CSS px before it is opened up].
MEASURE = """([groups, limit]) => {
  const atoms = [];
  const blocks = [];
  const y = window.scrollY;
  const add = (r, list) => { if (r.height > 0) list.push([r.top + y, r.bottom + y]); };
  const visit = (node, depth) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (!node.data.trim()) return;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) add(r, atoms);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const r = node.getBoundingClientRect();
    if (r.height <= limit || depth > 12 || !node.childNodes.length) { add(r, atoms); return; }
    const before = atoms.length;
    for (const child of node.childNodes) visit(child, depth + 1);
    if (atoms.length === before) add(r, atoms);
  };
  for (const [selector, inner] of groups) {
    const element = document.querySelector(selector);
    if (!element) continue;
    const children = inner ? [...element.childNodes] : [element];
    for (const child of children) {
      const before = atoms.length;
      visit(child, 0);
      let top = Infinity, bottom = -Infinity;
      for (let i = before; i < atoms.length; i++) {
        top = Math.min(top, atoms[i][0]);
        bottom = Math.max(bottom, atoms[i][1]);
      }
      if (atoms.length > before) blocks.push([top, bottom]);
    }
  }
  const height = Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);
  return {height, atoms, blocks};
}"""

JPEG_QUALITY = 88


def gaps(atoms: Sequence[tuple[float, float]], height: int) -> list[tuple[int, int]]:
    """The spans of rows (device px, [lo, hi]) between the merged atoms where a cut goes
    through no atom, strictly inside the page, top to bottom."""
    spans = sorted((max(0.0, t), min(float(height), b)) for t, b in atoms if b > t)
    merged: list[list[float]] = []
    for top, bottom in spans:
        if merged and top < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])
    found = []
    for above, below in itertools.pairwise(merged):
        lo = round(above[1])
        found.append((lo, max(lo, round(below[0]))))
    return [(lo, hi) for lo, hi in found if lo > 0 and hi < height]


def plan(atoms: Sequence[tuple[float, float]], height: int, limit: int) -> list[int]:
    """The part boundaries [0, c1, …, height] (device px): each part at most `limit` tall,
    cut inside an atom (at the limit) only when no gap is in reach.

    First each cut goes as low as it may (in the last gap in reach, as deep as the limit
    allows: the fewest parts), then, from the bottom up, each is raised towards the middle
    of its gap as far as the part below it still fits."""
    spaces = gaps(atoms, height)
    bounds: list[int] = [0]
    middles: list[int | None] = [None]  # the middle of the gap of each cut (None: inside an atom)
    start = 0
    while height - start > limit:
        reach = start + limit
        cut, middle = reach, None
        for lo, hi in spaces:
            if lo > reach:
                break
            if lo > start:
                cut, middle = min(hi, reach), (lo + hi) // 2
        bounds.append(cut)
        middles.append(middle)
        start = cut
    bounds.append(height)
    for i in range(len(bounds) - 2, 0, -1):
        middle = middles[i]
        if middle is not None and middle < bounds[i]:
            bounds[i] = max(middle, bounds[i + 1] - limit)
    return bounds


def encode(png: bytes, bounds: Sequence[int]) -> list[bytes]:
    """The parts of the full-page screenshot between consecutive bounds, as JPEG: RGB, no
    metadata, the same bytes for the same pixels."""
    with Image.open(io.BytesIO(png)) as shot:
        page = shot.convert("RGB")
    parts = []
    for top, bottom in itertools.pairwise(bounds):
        out = io.BytesIO()
        page.crop((0, top, page.width, bottom)).save(
            out, "JPEG", quality=JPEG_QUALITY, optimize=True
        )
        parts.append(out.getvalue())
    return parts
