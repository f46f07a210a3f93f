"""How the adapter changes mkdocs' list of files: the order pages render in, the theme's own
files put back, generated files added without a second writer for one path."""

from __future__ import annotations

import os

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator.derive.publication import Publication


def in_index_order(files: Files, pub: Publication) -> Files:
    """The articles first, bundle by bundle of the search index (oldest first), so that each
    bundle can be indexed as soon as its last page is rendered; mkdocs renders in this order."""
    order = {a.src: i for i, a in enumerate(a for s in reversed(pub.shards) for a in s.articles)}
    ordered = sorted(files, key=lambda f: order.get(f.src_uri, len(order)))
    return Files(ordered)


def theme_file(files: Files, config: MkDocsConfig, path: str) -> None:
    """Put back the theme's own file that a content file at its path had shadowed (mkdocs
    adds theme files only where docs_dir has none)."""
    for folder in config.theme.dirs:
        if os.path.isfile(os.path.join(folder, path)):
            files.append(File(path, folder, config.site_dir, config.use_directory_urls))
            return


def add_file(files: Files, file: File) -> None:
    """Add a generated file, refusing a second writer for one output path."""
    if files.get_file_from_path(file.src_uri) is not None:
        raise PluginError(f"两个来源要写同一个文件 {file.src_uri}，请改名其中一个。")
    files.append(file)
