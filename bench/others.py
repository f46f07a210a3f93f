"""The same corpus for the other generators the bench compares with.

- plain mkdocs-material: the project's mkdocs.yml without the congress plugin and theme
  overrides (same features, Markdown extensions and navigation: home and one page per column;
  articles outside the navigation; no search), over the same Markdown files;
- Pelican: the articles with Pelican's metadata header, its default theme, 20 per page,
  category, tag and archive pages and Atom feeds (in its own virtual environment: Pelican
  pins a Pygments that mkdocs-material refuses);
- Hugo (Debian's package), when installed: the same files (Hugo reads their YAML front
  matter), with a minimal layout: a lower bound, since its pages show less than ours.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import yaml

PLAIN_DIR = "plain"


def plain_site(site: Path, *, extensions: bool = True) -> Path:
    """A docs folder of links to the corpus, and mkdocs.yml for plain mkdocs-material: with
    the project's Markdown extensions, or (`extensions=False`) with mkdocs' defaults."""
    docs = site / PLAIN_DIR
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir()
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    os.symlink(site / "content" / "assets", docs / "assets")
    text = (site / "mkdocs.yml").read_text(encoding="utf-8")
    options = yaml.load(text, Loader=_Tolerant)
    columns = options["plugins"][0]["congress"]["columns"]
    nav = [{"首页": "index.md"}]
    for column in columns:
        folder = docs / column["id"]
        folder.mkdir()
        (folder / "index.md").write_text(f"# {column['name']}\n", encoding="utf-8")
        for year in sorted((site / "content" / column["id"]).glob("*")):
            os.symlink(year, folder / year.name)
        nav.append({column["name"]: f"{column['id']}/index.md"})
    # The theme and extensions as they are (the slugify tag needs mkdocs' own YAML loader),
    # the plugins and the theme overrides taken out.
    text = re.sub(r"(?m)^docs_dir: .*$", f"docs_dir: {PLAIN_DIR}", text)
    text = re.sub(r"(?m)^site_dir: .*$", "site_dir: site-plain", text)
    text = re.sub(r"(?m)^  custom_dir: .*\n", "", text)
    text = re.sub(r"(?ms)^plugins:\n.*?(?=^\S)", "plugins: []\n\n", text)
    if not extensions:
        text = re.sub(r"(?ms)^markdown_extensions:\n.*?(?=^\S)", "", text)
    text += "\n" + yaml.safe_dump(
        {"nav": nav, "not_in_nav": "/*/*/"}, allow_unicode=True, sort_keys=False
    )
    config = site / ("mkdocs-plain.yml" if extensions else "mkdocs-plain-default.yml")
    config.write_text(text, encoding="utf-8")
    return config


class _Tolerant(yaml.SafeLoader):
    """Reads mkdocs.yml's options, ignoring the tags that name Python objects."""


_Tolerant.add_constructor("!ENV", lambda loader, node: None)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


PELICAN_CONF = """\
SITENAME = "示例市人大常委会"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_PAGINATION = 20
ARTICLE_URL = "{category}/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{date:%Y}/{slug}/index.html"
STATIC_PATHS = ["assets"]
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = True
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.toc": {},
        "markdown.extensions.tables": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}
"""


def pelican_site(site: Path) -> Path:
    """The corpus as Pelican content (every article, as our build reads every file)."""
    root = site / "pelican"
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    shutil.copytree(site / "content" / "assets", content / "assets")
    for path in sorted((site / "content").glob("*/*/*.md")):
        text = path.read_text(encoding="utf-8")
        end = text.index("\n---\n", 4)
        meta = yaml.safe_load(text[4:end])
        body = text[end + 5 :].replace("../../assets/", "/assets/")
        header = {
            "Title": meta["title"],
            "Date": str(meta["date"])[:16].replace("T", " "),
            "Category": meta["column"],
            "Tags": ", ".join(meta.get("tags", [])),
            "Authors": ", ".join(meta.get("authors", [])),
            "Slug": path.stem,
            "Summary": meta.get("summary", ""),
        }
        target = content / meta["column"] / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(f"{k}: {v}\n" for k, v in header.items() if v)
        target.write_text(f"{lines}\n{body}", encoding="utf-8")
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    return root


HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        "</head><body><nav>{{ range .Site.Sections }}"
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>'
        '<main>{{ block "main" . }}{{ end }}</main></body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
        '<p>{{ .Date.Format "2006-01-02 15:04" }} {{ .Params.source }}</p>'
        "{{ .Content }}<p>{{ range .Params.tags }}{{ . }} {{ end }}</p></article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>'
        '{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}'
        '</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>'
        '{{ template "_internal/pagination.html" . }}{{ end }}\n'
    ),
}


def hugo_site(site: Path) -> Path:
    """A Hugo site over the same Markdown files, with a minimal layout."""
    root = site / "hugo"
    if root.exists():
        shutil.rmtree(root)
    for name, text in HUGO_LAYOUTS.items():
        target = root / "layouts" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "hugo.toml").write_text(
        'baseURL = "https://www.example.gov.cn/"\nlanguageCode = "zh-cn"\ntitle = "示例"\n'
        f'contentDir = "{site / "content"}"\npaginate = 20\n'
        "[markup.goldmark.renderer]\nunsafe = true\n",
        encoding="utf-8",
    )
    return root
