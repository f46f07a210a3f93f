"""The child process that rasterizes one SVG (pictures.py starts it with a time and memory
limit): the drawing on stdin, the PNG on stdout, the reason on stderr with exit status 1.

python -m generator.channels.rasterize WIDTH < drawing.svg > drawing.png
"""

from __future__ import annotations

import sys


def main() -> int:
    import cairosvg

    width = int(sys.argv[1])
    try:
        # A drawing without a size is laid out in 300 × 150, as a browser's <img> does.
        png = cairosvg.svg2png(
            bytestring=sys.stdin.buffer.read(),
            output_width=width,
            parent_width=300,
            parent_height=150,
            unsafe=False,
        )
    except Exception as exc:  # CairoSVG raises what its parser and Cairo raise
        print(type(exc).__name__, file=sys.stderr)
        return 1
    if not isinstance(png, bytes):
        print("no PNG", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
