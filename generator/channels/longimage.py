"""长图: one exported article (the folder `congress wechat` writes) as a long image, in parts.

The page is a header (site, column, title, date, source from meta.json), the article's root
<section> as exported, and a foot with a QR code of the article's address on the site, laid
out by a theme's CSS in Chromium (generator/channels/chromium.py: no network, no page
JavaScript), screenshot once, cut between blocks (generator/channels/longcut.py) and written
as `01.jpg`, `02.jpg`, … in the destination.

Pixels: the page is laid out CSS_WIDTH (540) CSS px wide at a device scale factor of
width / 540, so the line breaks do not depend on `width` and every part is exactly `width`
pixels wide; heights (max_height, the bounds) are in those output pixels.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.channels import chromium, longcut
from generator.channels.longpage import BadExport, page, qr, read_export
from generator.core.findings import Code, Finding, Severity

E = Severity.ERROR

LONGIMAGE_NO_CHROMIUM = Code(
    "LONGIMAGE-NO-CHROMIUM",
    E,
    "找不到 Chromium 浏览器：{where}",
    "安装 Chromium（Debian/Ubuntu：apt-get install chromium），"
    "或用环境变量 CONGRESS_CHROMIUM 指定它的路径。",
)
LONGIMAGE_EXTRA = Code(
    "LONGIMAGE-EXTRA",
    E,
    "未安装生成长图所需的 Python 包 {package}",
    "安装长图和海报的附加依赖：pip install 'congress-site[media]'",
)
LONGIMAGE_RENDER = Code(
    "LONGIMAGE-RENDER",
    E,
    "Chromium 排版或截图失败：{problem}",
    "确认 Chromium 能正常运行后重试；仍然失败时请把这条信息转给技术人员。",
)
LONGIMAGE_TOO_LONG = Code(
    "LONGIMAGE-TOO-LONG",
    E,
    "长图过长：{problem}，未生成",
    "长图适合篇幅适中的稿件：过长的稿件请分篇制作或只发布原文链接；"
    "也可以调大每张的高度（--max-height）以减少张数。",
)
LONGIMAGE_FOLDER = Code(
    "LONGIMAGE-FOLDER",
    E,
    "导出目录不可用：{problem}",
    "用 congress wechat 重新导出这篇稿件，再生成长图。",
)
LONGIMAGE_SIZE = Code(
    "LONGIMAGE-SIZE",
    E,
    "长图尺寸不合适：{problem}",
    "宽度取 320–2160 像素（常用 1080 或 750），每张高度取 200–65000 像素。",
)
LONGIMAGE_WRITE = Code(
    "LONGIMAGE-WRITE",
    E,
    "无法写入长图：{problem}",
    "检查输出目录的路径、权限和磁盘空间；原有的长图文件未被部分覆盖。",
)

# Problems of the machine or the command line, not of an article (the command exits 2).
SETUP_CODES = frozenset(c.code for c in (LONGIMAGE_NO_CHROMIUM, LONGIMAGE_EXTRA, LONGIMAGE_SIZE))
CSS_WIDTH = 540
WIDTHS = (320, 2160)
HEIGHTS = (200, 65000)
DEFAULT_MAX_HEIGHT = 4000
# Chromium 156 paints a full-page screenshot blank below ~112 million pixels (measured: 1080
# wide, white from row 104,140 on); and Pillow calls more than 89 million a decompression bomb.
MAX_PIXELS = 86_400_000  # 80,000 rows at 1080 px
MAX_PARTS = 99  # two-digit names: 01.jpg … 99.jpg sort as they read
# Where the blocks are: the header whole, the section's children, the foot whole.
BLOCKS = [[".cg-long__head", False], [".cg-long__body > section", True], [".cg-long__foot", False]]


class LongImageError(Exception):
    """A long image could not be made; `finding` says why, in Chinese."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class LongImage:
    """A render: the parts written, where the page was cut and the blocks it measured (both
    in output pixels from the top of the page)."""

    parts: list[Path]
    bounds: list[int]
    blocks: list[tuple[int, int]]
    height: int


def render(
    folder: Path,
    dest: Path,
    *,
    css: str,
    width: int = 1080,
    max_height: int = DEFAULT_MAX_HEIGHT,
    say: Callable[[str], None] = lambda s: None,
) -> list[Path]:
    """Write the long image of the export `folder` into `dest` as 01.jpg, 02.jpg, … (each
    exactly `width` px wide and at most `max_height` tall); LongImageError otherwise."""
    return draw(folder, dest, css=css, width=width, max_height=max_height, say=say).parts


def draw(
    folder: Path,
    dest: Path,
    *,
    css: str,
    width: int = 1080,
    max_height: int = DEFAULT_MAX_HEIGHT,
    say: Callable[[str], None] = lambda s: None,
) -> LongImage:
    """`render`, telling where it cut."""
    _check_size(width, max_height, folder)
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        problem = f"{dest} 已存在且不是目录（或是符号链接）"
        raise LongImageError(LONGIMAGE_WRITE.at(str(dest), problem=problem))
    try:
        export = read_export(folder)
    except BadExport as exc:
        raise LongImageError(LONGIMAGE_FOLDER.at(str(folder), problem=str(exc))) from None
    try:
        import segno
    except ImportError:
        raise LongImageError(LONGIMAGE_EXTRA.at(str(folder), package="segno")) from None
    scale = width / CSS_WIDTH
    document = page(export, css, qr(segno, export.url, scale))
    limit = MAX_PIXELS // width
    say(f"正在用 Chromium 排版长图（宽 {width} 像素）……")

    def check(measured: Any) -> None:
        height, atoms = _measured(measured, folder)[:2]
        if round(height * scale) > limit:
            problem = f"整页高 {round(height * scale)} 像素，超过上限 {limit} 像素"
            raise LongImageError(LONGIMAGE_TOO_LONG.at(str(folder), problem=problem))
        scaled = [(t * scale, b * scale) for t, b in atoms]
        count = len(longcut.plan(scaled, round(height * scale), max_height)) - 1
        if count > MAX_PARTS:
            problem = f"每张高 {max_height} 像素时需要 {count} 张，超过上限 {MAX_PARTS} 张"
            raise LongImageError(LONGIMAGE_TOO_LONG.at(str(folder), problem=problem))

    shot = _capture(document, export.folder, scale, max_height / scale, check)
    if shot.blocked:
        n, first = len(shot.blocked), shot.blocked[0]
        say(f"已拦截 {n} 个导出目录以外的资源（长图中不显示），如 {first}")
    height, atoms, blocks = _measured(shot.measured, folder)
    pixels = _png_size(shot.png, folder)
    if pixels[0] != width or abs(pixels[1] - round(height * scale)) > 3:
        problem = f"截图 {pixels[0]}×{pixels[1]} 与排版宽 {width}、高 {round(height * scale)} 不符"
        raise LongImageError(LONGIMAGE_RENDER.at(str(folder), problem=problem))
    bounds = longcut.plan([(t * scale, b * scale) for t, b in atoms], pixels[1], max_height)
    parts = write_parts(longcut.encode(shot.png, bounds), dest)
    say(f"长图共 {len(parts)} 张，已写入 {dest}")
    scaled = [(round(t * scale), round(b * scale)) for t, b in blocks]
    return LongImage(parts, bounds, scaled, pixels[1])


def write_parts(parts: list[bytes], dest: Path) -> list[Path]:
    """Write the parts as dest/01.jpg, …, replacing the folder whole: written into a new
    folder beside it, then swapped in (an earlier render's folder goes as a whole, so no part
    of it is left beside the new ones). Never through a symbolic link. LONGIMAGE-WRITE on
    failure, the earlier folder then left as it was."""
    names = [f"{i:02d}.jpg" for i in range(1, len(parts) + 1)]
    try:
        if dest.is_symlink() or dest.parent.is_symlink():
            raise OSError(errno.ELOOP, "是符号链接", str(dest))
        dest.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            for name, data in zip(names, parts, strict=True):
                (fresh / name).write_bytes(data)
            os.chmod(fresh, 0o755)
            old = None
            if dest.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
                os.replace(dest, old / "parts")
            os.replace(fresh, dest)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        problem = f"{exc.filename or dest}：{exc.strerror or exc}"
        raise LongImageError(LONGIMAGE_WRITE.at(str(dest), problem=problem)) from None
    return [dest / name for name in names]


def _check_size(width: int, max_height: int, folder: Path) -> None:
    if not WIDTHS[0] <= width <= WIDTHS[1]:
        problem = f"宽度 {width} 像素不在 {WIDTHS[0]}–{WIDTHS[1]} 之间"
        raise LongImageError(LONGIMAGE_SIZE.at(str(folder), problem=problem))
    if not HEIGHTS[0] <= max_height <= HEIGHTS[1]:
        problem = f"每张高度 {max_height} 像素不在 {HEIGHTS[0]}–{HEIGHTS[1]} 之间"
        raise LongImageError(LONGIMAGE_SIZE.at(str(folder), problem=problem))


def _capture(
    document: str, folder: Path, scale: float, open_above: float, check: Callable[[Any], None]
) -> chromium.Shot:
    where = str(folder)
    try:
        return chromium.capture(
            document,
            folder,
            css_width=CSS_WIDTH,
            scale=scale,
            measure=longcut.MEASURE,
            arg=[BLOCKS, open_above],
            check=check,
        )
    except chromium.NoChromium as exc:
        raise LongImageError(LONGIMAGE_NO_CHROMIUM.at(where, where=exc.path)) from None
    except chromium.NoPlaywright:
        raise LongImageError(LONGIMAGE_EXTRA.at(where, package="playwright")) from None
    except chromium.RenderFailed as exc:
        raise LongImageError(LONGIMAGE_RENDER.at(where, problem=str(exc))) from None


def _measured(measured: Any, folder: Path) -> tuple[float, list[tuple[float, float]], list[Any]]:
    """The page's height and atoms (CSS px) from the measuring script, type-checked."""
    try:
        height = float(measured["height"])
        atoms = [(float(t), float(b)) for t, b in measured["atoms"]]
        blocks = [(float(t), float(b)) for t, b in measured["blocks"]]
    except (KeyError, TypeError, ValueError) as exc:
        problem = f"页面测量结果无效（{exc}）"
        raise LongImageError(LONGIMAGE_RENDER.at(str(folder), problem=problem)) from None
    return height, atoms, blocks


def _png_size(png: bytes, folder: Path) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as im:
            return int(im.width), int(im.height)
    except (UnidentifiedImageError, OSError) as exc:
        problem = f"截图无法读取（{exc}）"
        raise LongImageError(LONGIMAGE_RENDER.at(str(folder), problem=problem)) from None
