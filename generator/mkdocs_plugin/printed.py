"""The approved print editions' PDFs, made by the build and published beside the column article
of each issue (the page links it, its feed item carries it as the enclosure, the manifest lists
it with its sha256).

Only an edition that is approved and whose articles and page are public is printed
(gate/editions.py). The PDF is laid out from the bodies the build has just rendered, by the
same library as `congress print` (channels/printing.py), so the site's PDF and a printed one
are the same bytes. A layout takes seconds, so a PDF is kept in the build cache under the key
of everything it is made of (the edition's approval, each body, the theme's layout files) and
reused while that is unchanged. Without WeasyPrint, or when a layout fails, the edition is
left out with a warning: the page then carries no link, never a link to nothing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from generator.channels.printed import PrintError, edition_document, render_edition
from generator.core.keys import fingerprint
from generator.derive.publication import PrintedEdition, Publication
from generator.load.article import Article

log = logging.getLogger("mkdocs.plugins.congress")


CHANNELS = "channels/"  # the theme's folder of layouts for WeChat, long images, print


def drop_channel_layouts(files: Files, config: MkDocsConfig) -> None:
    """The theme's layouts of the other channels (generator/channels/) are not the site's:
    never copied into it."""
    themes = {os.path.normpath(d) for d in config.theme.dirs}
    for file in [f for f in files if f.src_uri.startswith(CHANNELS)]:
        if file.src_dir and os.path.normpath(file.src_dir) in themes:
            files.remove(file)


def site_pdfs(
    pub: Publication,
    config: MkDocsConfig,
    cache_folder: Path | None,
    body: Callable[[Article], str],
) -> dict[str, bytes]:
    """The approved print editions' PDFs for the site (`print_editions`), laid out with the
    theme's files, kept in the build cache's `print/` folder."""
    custom = config.theme.custom_dir
    theme = Path(custom) if custom else pub.site.root / "themes" / "congress"
    folder = cache_folder / "print" if cache_folder is not None else None
    return print_editions(pub, body, theme, folder)


def pdf_path(e_page_url: str, publication: str, name: str) -> str:
    return f"{e_page_url}{publication}-{name}.pdf"


def print_editions(
    pub: Publication,
    body: Callable[[Article], str],
    theme: Path,
    cache: Path | None,
) -> dict[str, bytes]:
    """Site path → PDF bytes of every printable edition; `pub.printed` filled."""
    if not pub.edition_pages:
        return {}
    if importlib.util.find_spec("weasyprint") is None:
        hint = "pip install 'congress-site[print]'"
        log.warning("[PRINT-EXTRA] 未安装 WeasyPrint：印刷版 PDF 未生成（%s）", hint)
        return {}
    files: dict[str, bytes] = {}
    layout = b"".join(
        (theme / "channels" / n).read_bytes() if (theme / "channels" / n).is_file() else b""
        for n in ("edition.html", "edition.css")
    )
    for page_uid, e in sorted(pub.edition_pages.items()):
        assert e.article is not None and e.page is not None
        try:
            doc = edition_document(pub, e, lambda v: body(v.article))
        except PrintError as exc:
            log.warning("%s", f"[{exc.finding.code}] {e.edition.path}：{exc.finding.message}")
            continue
        # Everything the bytes follow from: the document (approval, bodies, page size, fonts,
        # publisher …), the layout files, this code and WeasyPrint.
        key = fingerprint(repr(doc), layout, _versions(), e.article.digest).hex()
        made = _cached(cache, key)
        if made is None:
            try:
                made = render_edition(doc, pub.site, theme)
            except PrintError as exc:
                f = exc.finding
                log.warning("%s", f"[{f.code}] {e.edition.path}：{f.message}")
                continue
            _keep(cache, key, made)
        pdf, pages = made
        path = pdf_path(e.page.article.url, e.edition.publication, e.edition.name)
        files[path] = pdf
        pub.printed[page_uid] = PrintedEdition(
            url=path,
            size=len(pdf),
            pages=pages,
            sha256=hashlib.sha256(pdf).hexdigest(),
            path=e.edition.path,
            uid=e.article.uid,
            title=e.article.meta.title if e.article.meta else "",
            digest=e.article.digest,
        )
    return files


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("congress-site", "weasyprint", "pydyf", "fonttools"):
        try:
            found.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            found.append(f"{package}=-")
    code = Path(__file__).resolve().parent.parent / "channels"
    sources = sorted(code.glob("print*.py"))
    return ";".join(found) + ";" + fingerprint(*(p.read_bytes() for p in sources)).hex()


def _cached(cache: Path | None, key: str) -> tuple[bytes, int] | None:
    if cache is None:
        return None
    try:
        pdf = (cache / f"{key}.pdf").read_bytes()
        pages = int(json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pdf, pages


def _keep(cache: Path | None, key: str, made: tuple[bytes, int]) -> None:
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / f"{key}.pdf").write_bytes(made[0])
        (cache / f"{key}.json").write_text(json.dumps({"pages": made[1]}), encoding="utf-8")
    except OSError:
        pass  # a cache that cannot be written costs the next build the layout, nothing else
