"""One article's body rendered exactly as the site renders it, without building the site.

The other channels (generator/channels/) need the HTML of an article's body, and it must be the
HTML the site page shows: the same Markdown extensions from mkdocs.yml, the same link
rewriting, the same allowlist. A whole build for one WeChat export would cost the time of the
archive; this renders one page the way a build does (`Page.render` with the engine's own
Markdown configuration, then the plugin's sanitizer, as `on_page_content` does), against a file
list that holds what the build's would after `on_files`: the public articles and withdrawal
notices, the copied assets and the generated pages. A test compares the result with the page
of a real build (tests/channels/test_export.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.derive.publication import Publication
from generator.derive.sanitize import site_policy
from generator.gate.decide import Verdict
from generator.mkdocs_plugin.running import quiet_mkdocs


def body_renderer(config_file: str, pub: Publication) -> tuple[Callable[[Verdict], str], Path]:
    """A function giving the sanitized body HTML of a public article of `pub`, and the
    theme's folder (`theme.custom_dir`), where the channels' layouts are."""
    quiet_mkdocs()
    config = load_config(config_file)
    custom = config.theme.custom_dir
    theme = Path(custom) if custom else pub.site.root / "themes" / "congress"
    docs, out, pretty = str(pub.site.docs_dir), config.site_dir, config.use_directory_urls
    # Only where each file goes matters for links: a generated page needs no content here.
    srcs = set(pub.rendered) | pub.assets | {item.src for item in pub.plan}
    files = Files([File(src, docs, out, pretty) for src in sorted(srcs)])
    policy = site_policy(pub.site)

    def body(verdict: Verdict) -> str:
        file = files.get_file_from_path(verdict.article.src)
        if file is None or not verdict.public:
            raise ValueError(f"not a public article: {verdict.article.src}")
        # What the gate judged, read as the build reads it (on_files sets the same string).
        file.content_string = verdict.article.body
        page = Page(None, file, config)
        page.read_source(config)
        page.render(config, files)
        return policy.page(page.content or "")

    return body, theme
