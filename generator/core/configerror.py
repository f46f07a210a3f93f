"""The codes of a configuration that cannot be used, and the exception that carries them."""

from __future__ import annotations

from generator.core.findings import Code, Finding, Severity

CFG_INVALID = Code(
    "CFG-INVALID",
    Severity.ERROR,
    "配置项 {where} 无效：{problem}",
    "请按 README 的“配置”一节修改 {file}。",
)
CFG_MISSING = Code(
    "CFG-MISSING",
    Severity.ERROR,
    "找不到配置文件 {file}",
    "请在站点根目录运行命令，或用 --config 指定 mkdocs.yml。",
)
CFG_YAML = Code(
    "CFG-YAML",
    Severity.ERROR,
    "配置文件不是合法的 YAML：{problem}",
    "检查第 {line} 行附近的缩进、冒号和引号。",
)
CFG_SYMLINK = Code(
    "CFG-SYMLINK",
    Severity.ERROR,
    "{what} {file} 是符号链接（{link} 指向 {target}）：不会被读取",
    "稿件目录和 editorial/ 中的名录只能是仓库里的普通目录和文件：删除链接，把内容本身放进来。",
)
CFG_NO_PLUGIN = Code(
    "CFG-NO-PLUGIN",
    Severity.ERROR,
    "mkdocs.yml 的 plugins 中没有启用 congress 插件",
    "在 plugins 下加入 `- congress:` 及栏目配置。",
)


class ConfigError(Exception):
    """The configuration cannot be used; the findings say why (exit code 2)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings
