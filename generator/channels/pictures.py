"""Pictures for WeChat: each body image re-encoded to the platform's limits, and the covers.

`media/uploadimg`, through which a draft's body images must go, takes JPEG or PNG under 1 MB;
the editor shows at most 1080 px across. So every picture is decoded by Pillow (an SVG first
rasterized by CairoSVG: WeChat shows no SVG), turned upright by its EXIF orientation, scaled to
at most 1080 px wide and written without any metadata (a photo's EXIF may hold where it was
taken and on what): drawings and screenshots (PNG, GIF, SVG) as PNG, photos as JPEG, the JPEG
quality and then the size stepped down until the file is under 1 MB. The same source gives the
same bytes. Decoding is bounded: a file over `MAX_BYTES` or a picture over `MAX_PIXELS`
(a decompression bomb) is refused with a finding, never decoded.
"""

from __future__ import annotations

import hashlib
import io
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.core.findings import Code, Finding, Severity

MAX_WIDTH = 1080
MAX_FILE = 1024 * 1024 - 1  # uploadimg: "大小必须在1MB以下"
MAX_BYTES = 50 * 1024 * 1024  # a source larger than this is not read
MAX_PIXELS = 80_000_000  # Pillow's own warning threshold is 89 M
COVER_WIDE = (900, 383)  # 2.35 : 1
COVER_SQUARE = 900
JPEG_QUALITIES = (88, 80, 72, 64, 56)
# The pictures a browser shows, by suffix, and the one Pillow decoder each may use (an SVG is
# decoded as the PNG it is rasterized to).
FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
    ".svg": "PNG",
}
RASTER_SECONDS = 30  # one drawing; CairoSVG runs in a child process it cannot outlive
RASTER_MEMORY = 1024 * 1024 * 1024

PICTURE_UNREADABLE = Code(
    "WECHAT-IMAGE-UNREADABLE",
    Severity.ERROR,
    "图片 {src} 无法转换为公众号图片：{reason}",
    "换用 JPEG、PNG 或 SVG 格式的图片（不超过 50 MB、8000 万像素），重新审核后再导出。",
)


class PictureError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Picture:
    data: bytes
    suffix: str  # ".jpg" or ".png"
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def unreadable(path: str, src: str, exc: PictureError) -> Finding:
    return PICTURE_UNREADABLE.at(path, None, src=src, reason=exc.reason)


def _open(source: Path) -> object:
    """The decoded picture (a Pillow Image), its EXIF orientation applied."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise PictureError(f"无法读取（{exc.strerror}）") from exc
    if size > MAX_BYTES:
        raise PictureError(f"文件过大（{size // (1024 * 1024)} MB）")
    suffix = source.suffix.lower()
    if suffix not in FORMATS:
        raise PictureError(f"不是公众号可用的图片格式（{suffix or '无扩展名'}）")
    data = source.read_bytes()
    if suffix == ".svg":
        data = _rasterize(data)
    try:
        # Only the decoder the name promises: Pillow would otherwise pick one by the bytes, and
        # PostScript named photo.jpg would go to Ghostscript, which runs it.
        with Image.open(io.BytesIO(data), formats=[FORMATS[suffix]]) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise PictureError(f"像素过多（{opened.width}×{opened.height}）")
            opened.seek(0)  # an animated GIF: its first frame
            image = ImageOps.exif_transpose(opened)
            image.load()
            image.info.clear()
            return image
    except PictureError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PictureError(f"无法解码（{type(exc).__name__}）") from exc


# CairoSVG draws text in the first family a `font-family` names, through Cairo's simple font
# API: no fallback for a glyph that family lacks, so Chinese in `sans-serif` (DejaVu, say)
# comes out as empty boxes. Every family is therefore replaced by a CJK family that has Latin
# letters too (Debian's fonts-noto-cjk), serif where the drawing asked for a serif.
CJK_SANS, CJK_SERIF = "Noto Sans CJK SC", "Noto Serif CJK SC"
_FAMILY_CSS = re.compile(r"(font-family\s*:\s*)([^;}\"]+)", re.IGNORECASE)


def _cjk_family(value: str) -> str:
    first = value.split(",", maxsplit=1)[0].strip().strip("'\"").lower()
    serif = ("serif" in first and "sans" not in first) or "song" in first or "宋" in first
    return CJK_SERIF if serif else CJK_SANS


def _with_cjk_fonts(svg: bytes) -> bytes:
    """The drawing with every font family replaced by a CJK one (see CJK_SANS). Parsed as the
    gate parses it: no entities, no network, the default size limits."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(svg, parser)
    except etree.XMLSyntaxError as exc:
        raise PictureError("SVG 无法解析") from exc
    if root.get("font-family") is None:  # the default family, for text that names none
        root.set("font-family", CJK_SANS)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        family = el.get("font-family")
        if family is not None:
            el.set("font-family", _cjk_family(family))
        style = el.get("style")
        if style:
            el.set("style", _FAMILY_CSS.sub(lambda m: m[1] + _cjk_family(m[2]), style))
        if el.tag.rpartition("}")[2] == "style" and el.text:
            el.text = _FAMILY_CSS.sub(lambda m: m[1] + _cjk_family(m[2]), el.text)
    return bytes(etree.tostring(root))


def _rasterize(svg: bytes) -> bytes:
    """The drawing as a PNG 1080 px wide, drawn by CairoSVG in a child process with a time and
    memory limit: a few kB of nested `<use>` (a static drawing to the gate, gate/rules/svg.py)
    can make it draw the same text a hundred thousand times. CairoSVG fetches nothing outside
    the file unless told to (`unsafe`)."""
    svg = _with_cjk_fonts(svg)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator.channels.rasterize", str(MAX_WIDTH)],
            input=svg,
            capture_output=True,
            timeout=RASTER_SECONDS,
            preexec_fn=_limits,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PictureError(f"SVG 栅格化超过 {RASTER_SECONDS} 秒，已停止") from exc
    except OSError as exc:
        raise PictureError(f"SVG 无法栅格化（{exc.strerror or exc}）") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["失败"]
        raise PictureError(f"SVG 无法栅格化（{reason[0][:80]}）")
    return done.stdout


def _limits() -> None:
    """In the child, before it runs: memory and CPU time bounded."""
    resource.setrlimit(resource.RLIMIT_AS, (RASTER_MEMORY, RASTER_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (RASTER_SECONDS, RASTER_SECONDS + 1))


def _flat(image: object) -> object:
    """RGB on white: a transparent drawing shown on WeChat's dark mode would lose its lines."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def _scaled(image: object, width: int) -> object:
    from PIL import Image

    assert isinstance(image, Image.Image)
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _encode(image: object, fmt: str, quality: int = 88) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=False, subsampling=2)
    return out.getvalue()


def picture(source: Path) -> Picture:
    """A body image for WeChat (see the module docstring); PictureError if it cannot be."""
    from PIL import Image

    image = _open(source)
    assert isinstance(image, Image.Image)
    drawing = source.suffix.lower() in (".png", ".gif", ".svg")
    flat = _flat(_scaled(image, MAX_WIDTH))
    assert isinstance(flat, Image.Image)
    if drawing:
        data = _encode(flat, "PNG")
        if len(data) <= MAX_FILE:
            return Picture(data, ".png", flat.width, flat.height)
    while True:
        for quality in JPEG_QUALITIES:
            data = _encode(flat, "JPEG", quality)
            if len(data) <= MAX_FILE:
                return Picture(data, ".jpg", flat.width, flat.height)
        if flat.width <= 200:
            raise PictureError("压缩后仍超过 1 MB")
        smaller = _scaled(flat, flat.width * 4 // 5)
        assert isinstance(smaller, Image.Image)
        flat = smaller


@dataclass(frozen=True)
class Covers:
    cover: Picture  # the picture the draft's thumb is made of (≤ 1080 px wide)
    wide: Picture  # 900 × 383
    square: Picture
    crop_wide: str  # the crops within `cover`, as draft/add's pic_crop_235_1 / pic_crop_1_1
    crop_square: str


def _box(width: int, height: int, ratio: float) -> tuple[int, int, int, int]:
    """The largest centred box of the given width : height ratio."""
    if width / height > ratio:
        w = max(1, round(height * ratio))
        left = (width - w) // 2
        return left, 0, left + w, height
    h = max(1, round(width / ratio))
    top = (height - h) // 2
    return 0, top, width, top + h


def _normalized(box: tuple[int, int, int, int], width: int, height: int) -> str:
    x1, y1, x2, y2 = box
    return "_".join(f"{v:.6f}" for v in (x1 / width, y1 / height, x2 / width, y2 / height))


def covers(source: Path) -> Covers:
    """The cover and its two crops (2.35 : 1 at 900 × 383, and 1 : 1), centred."""
    from PIL import Image

    image = _open(source)
    flat = _flat(_scaled(image, MAX_WIDTH))
    assert isinstance(flat, Image.Image)
    base = Picture(_encode(flat, "JPEG"), ".jpg", flat.width, flat.height)
    wide_box = _box(flat.width, flat.height, COVER_WIDE[0] / COVER_WIDE[1])
    wide = flat.crop(wide_box).resize(COVER_WIDE, Image.Resampling.LANCZOS)
    square_box = _box(flat.width, flat.height, 1.0)
    side = min(COVER_SQUARE, square_box[2] - square_box[0])
    square = flat.crop(square_box).resize((side, side), Image.Resampling.LANCZOS)
    return Covers(
        cover=base,
        wide=Picture(_encode(wide, "JPEG"), ".jpg", *COVER_WIDE),
        square=Picture(_encode(square, "JPEG"), ".jpg", side, side),
        crop_wide=_normalized(wide_box, flat.width, flat.height),
        crop_square=_normalized(square_box, flat.width, flat.height),
    )
