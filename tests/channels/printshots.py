"""The README's pictures of the printed channels, from the sample: the gazette's cover and
contents, and the posters of an open and a closed consultation (pdftoppm).

python -m tests.channels.printshots docs/screenshots
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.channels.sample import copy_sample
from tests.sitekit import NOW, congress

OPEN = "2026-1120-83d916"  # 电动自行车管理条例（草案）: open at the suite's time
CLOSED = "2026-0915-424ccc"  # 养老服务条例: closed, its feedback published


def _png(pdf: Path, page: int, target: Path, dpi: int = 60) -> None:
    stem = target.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(stem),
        ],
        check=True,
        timeout=120,
    )
    print(target)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample(Path(tmp) / "newsroom")
        for args in (
            ("print", "editions/gazette/2026-06.yml", "--out", f"{tmp}/print"),
            ("poster", OPEN, CLOSED, "--out", f"{tmp}/posters"),
        ):
            result = congress(*args, "--now", NOW, cwd=root)
            if result.returncode != 0:
                sys.exit(f"congress {args[0]} failed:\n{result.stderr}")
        gazette = Path(tmp) / "print/gazette/2026-06.pdf"
        _png(gazette, 1, out / "gazette-cover.png")
        _png(gazette, 2, out / "gazette-contents.png")
        _png(Path(tmp) / f"posters/{OPEN}.pdf", 1, out / "poster-consultation.png")
        _png(Path(tmp) / f"posters/{CLOSED}.pdf", 1, out / "poster-closed.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
