"""What printing a 60-page edition costs, and pictures of its cover and contents.

python -m tests.channels.printbench [--articles N] [--repeat R] [--png FOLDER]

Lays out `long_edition(N)` (text, a table and a 1200 × 800 photo per article: 30 articles make
60-odd pages of 185 × 260 mm) with the theme's template and stylesheet, R times, and prints the
page count, the size and each time. With --png, writes the cover and the first contents page as
PNG (pdftoppm, 110 dpi) into FOLDER.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from generator.channels.printing import draw
from tests.channels.editions import ALLOWED, CSS, TEMPLATE, long_edition, pictures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--png", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "site"
        pictures(base)
        edition = long_edition(args.articles)
        times, pdf = [], b""
        for _ in range(args.repeat):
            start = time.perf_counter()
            printed = draw(edition, base=base, allowed=ALLOWED, template=TEMPLATE, css=CSS)
            times.append(time.perf_counter() - start)
            if pdf:
                assert printed.pdf == pdf, "two renders differ"
            pdf = printed.pdf
        print(
            f"{args.articles} articles, {printed.pages} pages, {len(pdf) / 1024:.0f} KiB; "
            f"seconds: {', '.join(f'{t:.1f}' for t in times)} (best {min(times):.1f})"
        )
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
            out = Path(folder) / "edition.pdf"
            out.write_bytes(pdf)
            for page, name in ((1, "print-cover"), (2, "print-contents")):
                target = args.png / name
                pages = ["-f", str(page), "-l", str(page)]
                command = ["pdftoppm", "-r", "110", "-png", "-singlefile", *pages]
                subprocess.run([*command, str(out), str(target)], check=True)
                print(f"{target}.png")


if __name__ == "__main__":
    main()
