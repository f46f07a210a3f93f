"""Site configuration: the `congress` plugin's section of mkdocs.yml, validated once.

The same pydantic model validates the options whether mkdocs loads them (the plugin) or the
command line reads mkdocs.yml itself (`congress check`, which does not start mkdocs).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from generator.core.configerror import (
    CFG_INVALID,
    CFG_MISSING,
    CFG_NO_PLUGIN,
    CFG_SYMLINK,
    CFG_YAML,
    ConfigError,
)
from generator.core.footer import Footer, load_footer
from generator.core.policy import Policy

ColumnKind = Literal["news", "notice", "consultation", "gazette", "video"]

# 政府网站发展指引: news columns stale after 2 weeks, notice/policy columns after 6 months.
DEFAULT_CADENCE: dict[str, int] = {
    "news": 14,
    "notice": 180,
    "consultation": 180,
    "gazette": 180,
    "video": 14,
}

# Top-level URL segments the generator owns; a column cannot take them.
RESERVED_SEGMENTS = frozenset(
    {"assets", "archive", "feeds", "images", "index", "page", "search", "tags", "stylesheets"}
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Model):
    """A column (栏目) of the site."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")
    name: str = Field(min_length=1)
    description: str = ""
    kind: ColumnKind = "news"
    cadence_days: int | None = Field(default=None, ge=1)
    feeds: bool = True
    keywords: list[str] = []
    order: int = 0

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_SEGMENTS:
            raise ValueError(f"栏目编号 {value} 与站点保留路径冲突")
        return value

    @property
    def cadence(self) -> int:
        """Days without an update after which the column counts as stale."""
        return self.cadence_days or DEFAULT_CADENCE[self.kind]


class PrintPublication(_Model):
    """A print publication (《常委会公报》, 《代表之声》): its editions are
    editions/<id>/<issue>.yml, printed by `congress print` (generator/channels/printing.py)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")
    name: str = Field(min_length=1, max_length=60)  # printed in 《》 on the cover
    short_name: str = Field(default="", max_length=20)  # the running header
    column: str = ""  # the column whose article of an issue links its PDF
    publisher: str = ""  # 主办单位 on the cover (default: the footer's 主办)
    page_width_mm: float = Field(default=185.0, ge=90, le=420)  # 16开 by default
    page_height_mm: float = Field(default=260.0, ge=120, le=600)
    body_font: str = "Noto Serif CJK SC"  # 仿宋/宋体 where the office has them: a family name
    heading_font: str = "Noto Sans CJK SC"
    keywords: list[str] = []


class FeedsConfig(_Model):
    """Syndication feeds (RSS, Atom, JSON Feed) for media outlets."""

    limit: int = Field(default=50, ge=1, le=1000)
    # The date part of every item id (`tag:<domain>,<tag_date>:<uid>`): set once, never change.
    tag_date: str = Field(default="2026", pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    title: str = ""  # default: the site name
    description: str = ""
    # Kept for older mkdocs.yml files: the same as `embeds.frame_hosts` (pages and feeds).
    video_hosts: list[str] = []


_HOST = r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"


class EmbedsConfig(_Model):
    """What an article body may embed from other sites."""

    # Hosts whose video players (<iframe src="https://host/…">) may stay in articles and
    # feeds; every other iframe is removed. deploy/nginx.conf's `frame-src` lists the same
    # hosts (tests/redteam/test_markup.py checks that the two agree).
    frame_hosts: list[str] = []

    @field_validator("frame_hosts")
    @classmethod
    def _hostnames(cls, value: list[str]) -> list[str]:
        bad = [h for h in value if not re.match(_HOST, h)]
        if bad:
            raise ValueError(f"不是主机名（只写域名，如 v.example.gov.cn）：{', '.join(bad)}")
        return value


class TextConfig(_Model):
    """The text checks of the gate (政治关 政策关 法律关 文字关)."""

    wording: str = "editorial/wording.yml"  # 统一口径: preferred forms, forbidden terms, officials
    typography: Literal["warning", "error", "off"] = "warning"
    # none: no space between Chinese and Latin letters or digits (government copy);
    # ignore: spacing is not checked
    spacing: Literal["none", "ignore"] = "none"


class CongressConfig(_Model):
    """Options of the `congress` plugin in mkdocs.yml."""

    columns: list[Column] = Field(min_length=1)
    committees: dict[str, str] = {}
    staff: str = "editorial/staff.yml"
    # What left through the other channels (WeChat, long images): `congress audit` lists an
    # export whose article has since been withdrawn or changed on the site.
    exports: str = "editorial/exports.jsonl"
    # Print editions: the publications, and the folder of their editions (one YAML per issue).
    publications: list[PrintPublication] = []
    editions: str = "editions"
    default_source: str = ""
    per_page: int = Field(default=20, ge=1, le=500)
    home_items: int = Field(default=5, ge=1, le=50)
    policy: Policy = Policy()
    feeds: FeedsConfig = FeedsConfig()
    embeds: EmbedsConfig = EmbedsConfig()
    search: bool = True  # the Pagefind index, the search page and the header search box
    # Articles and characters of text per Pagefind bundle: Pagefind's memory while it indexes
    # a bundle is about 175 KB per article plus 40 bytes per character (measured on the bench's
    # shapes: 1,500 articles of 2,000 characters 350 MB, 4,000 short notices 750 MB); each
    # bundle costs a search a few more small downloads.
    search_shard_size: int = Field(default=1500, ge=1)
    search_shard_chars: int = Field(default=2_500_000, ge=1)
    text: TextConfig = TextConfig()
    # The share of the live public articles a build may take down before it refuses to go
    # live (BUILD-MASS-REMOVAL, generator/build/removal.py); taking down all of them always needs
    # `congress build --allow-removal`.
    max_removal_share: float = Field(default=0.2, ge=0, le=1)
    # The largest file (MB) an article may use: a larger one is ASSET-TOO-LARGE, never read,
    # hashed or copied (contentfiles.oversize).
    max_file_mb: int = Field(default=100, ge=1)
    # The web archive (generator/archive/): its folder, relative to mkdocs.yml and never
    # inside site_dir (it is never deployed); the retention period (保管期限) its transfer
    # packages declare; and the server configuration whose headers its records carry.
    archive_dir: str = Field(default="archive", min_length=1)
    archive_retention: str = Field(default="永久", min_length=1, max_length=20)
    server_config: str = Field(default="deploy/nginx.conf", min_length=1)

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @model_validator(mode="before")
    @classmethod
    def _number_columns(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("columns"), list):
            data = dict(data)
            data["columns"] = [
                {**c, "order": i} if isinstance(c, dict) and "order" not in c else c
                for i, c in enumerate(data["columns"])
            ]
        return data

    @model_validator(mode="after")
    def _unique_columns(self) -> CongressConfig:
        ids = [c.id for c in self.columns]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"栏目编号重复：{', '.join(dupes)}")
        return self

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def publication(self, publication_id: str) -> PrintPublication | None:
        return next((p for p in self.publications if p.id == publication_id), None)


@dataclass(frozen=True)
class Site:
    """Everything the core needs to know about the site, independent of mkdocs."""

    root: Path
    docs_dir: Path
    site_dir: Path
    site_url: str
    site_name: str
    congress: CongressConfig
    extra: dict[str, Any] = field(default_factory=dict)
    config_file: str = "mkdocs.yml"

    @cached_property
    def footer(self) -> Footer:
        """The validated national footer (checked when the site is loaded)."""
        return load_footer(self.extra, self.config_file)

    @property
    def frame_hosts(self) -> tuple[str, ...]:
        """Hosts whose players an article may frame, in the order configured."""
        hosts = [*self.congress.embeds.frame_hosts, *self.congress.feeds.video_hosts]
        return tuple(dict.fromkeys(h.lower() for h in hosts))

    @property
    def domain(self) -> str:
        return urlsplit(self.site_url).hostname or ""

    def absolute(self, url: str) -> str:
        """A site-relative URL made absolute with site_url."""
        base = self.site_url if self.site_url.endswith("/") else self.site_url + "/"
        if url and not url.startswith(("/", ".", "#", "?")) and ":" not in url and "/." not in url:
            return base + url  # a plain path below the site: what urljoin would give
        return urljoin(base, url)

    @property
    def columns(self) -> list[Column]:
        return self.congress.columns

    def rel(self, path: Path) -> str:
        """A path as findings show it: relative to the site root, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def archive_dir(self) -> Path:
        return self.root / self.congress.archive_dir


def validate_options(options: dict[str, Any], file: str) -> CongressConfig:
    """Validate the plugin options or raise ConfigError with one finding per problem."""
    try:
        return CongressConfig.model_validate(options)
    except ValidationError as exc:
        raise ConfigError(
            [
                CFG_INVALID.at(
                    file,
                    where="plugins.congress." + ".".join(str(p) for p in err["loc"]),
                    problem=_plain(err),
                    file=file,
                )
                for err in exc.errors()
            ]
        ) from exc


def _plain(err: Any) -> str:
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing anything it names (`!!python/name:` tags)."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    names = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [loader.construct_scalar(node)]  # type: ignore[arg-type]
    )
    *keys, default = names if len(names) > 1 else (*names, None)
    for key in keys:
        if str(key) in os.environ:
            return os.environ[str(key)]
    return default


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_constructor("!relative", lambda loader, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def plugin_options(plugins: Any) -> dict[str, Any] | None:
    """The options of the `congress` entry in mkdocs.yml's `plugins` (list or mapping form)."""
    if isinstance(plugins, dict):
        return dict(plugins["congress"] or {}) if "congress" in plugins else None
    for item in plugins or []:
        if item == "congress":
            return {}
        if isinstance(item, dict) and "congress" in item:
            return dict(item["congress"] or {})
    return None


def load_site(config_file: str | Path = "mkdocs.yml") -> Site:
    """Read mkdocs.yml and the congress options, as the command line needs them."""
    path = Path(config_file)
    if not path.is_file():
        raise ConfigError([CFG_MISSING.at(str(config_file), file=str(config_file))])
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError([CFG_YAML.at(path.name, line, problem=exc.problem or str(exc))]) from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:  # unreadable, not UTF-8
        raise ConfigError([CFG_YAML.at(path.name, 1, problem=str(exc))]) from exc
    if not isinstance(raw, dict):
        raise ConfigError([CFG_YAML.at(path.name, 1, problem="顶层不是键值对")])
    options = plugin_options(raw.get("plugins"))
    if options is None:
        raise ConfigError([CFG_NO_PLUGIN.at(path.name)])
    root = path.resolve().parent
    site = Site(
        root=root,
        docs_dir=root / str(raw.get("docs_dir") or "docs"),
        site_dir=root / str(raw.get("site_dir") or "site"),
        site_url=str(raw.get("site_url") or ""),
        site_name=str(raw.get("site_name") or ""),
        congress=validate_options(options, path.name),
        extra=dict(raw.get("extra") or {}),
        config_file=path.name,
    )
    _ = site.footer  # a missing footer field is a configuration error, found now
    refuse_link(site, site.docs_dir, "稿件目录")
    return site


def refuse_link(site: Site, path: Path, what: str) -> None:
    """Raise ConfigError if `path`, or a folder on the way to it inside the repository, is a
    symbolic link: with `content -> /`, `check` read every .md file of the machine. The
    content scan never follows a link inside docs_dir (contentfiles.py); this is the same
    rule for docs_dir itself and the registries (staff.yml, wording.yml)."""
    root = site.root.resolve()
    chain = [path]
    for p in path.parents:
        if p.resolve() == root:
            break
        chain.append(p)
    else:
        chain = [path]  # configured outside the repository: only the path itself is judged
    for p in reversed(chain):
        if p.is_symlink():
            shown = _lexical(site.root, path)
            raise ConfigError(
                [CFG_SYMLINK.at(shown, what=what, file=shown, link=p.name, target=_readlink(p))]
            )


def _lexical(root: Path, path: Path) -> str:
    """A path as written below the root, without resolving the link it may be."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"
