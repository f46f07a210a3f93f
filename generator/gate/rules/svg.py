"""Whether an SVG is a static drawing: parsed (never pattern-matched) and held to an allowlist.

Patterns over the decoded text were bypassed by what a parser decodes and a browser obeys:
another encoding (UTF-16 with a BOM), character references inside attribute values
(`&#106;avascript:`), animation elements that set `href` after loading. So the file is parsed
the way a browser would parse it, with lxml hardened against the parser's own attacks (no
entity expansion, no network, no DTD loading, the default size and depth limits), and every
element, attribute and value is judged after the parser has decoded it.

Kept: shapes, paths, text, groups, definitions, gradients, patterns, clipping, masks, markers,
filter primitives (without feImage), `<use>` of this document's own ids, and CSS that fetches
nothing. Everything else is a reason (Chinese, for the finding) the drawing is refused.
"""

from __future__ import annotations

import re

from lxml import etree

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"

_SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
_STRUCTURE = {"svg", "g", "defs", "symbol", "use", "title", "desc", "style", "switch"}
_TEXT = {"text", "tspan", "textPath"}
_PAINT = {"linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker"}
_FILTER = {"filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite"}
_FILTER |= {"feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight"}
_FILTER |= {"feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR"}
_FILTER |= {"feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset"}
_FILTER |= {"fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"}
ELEMENTS = frozenset(_SHAPES | _STRUCTURE | _TEXT | _PAINT | _FILTER)

_CORE = "id class style lang tabindex role aria-label aria-hidden aria-labelledby version"
_GEOMETRY = "x y x1 x2 y1 y2 cx cy r rx ry fx fy fr width height d points pathLength viewBox"
_GEOMETRY += " preserveAspectRatio transform href baseProfile dx dy rotate textLength"
_GEOMETRY += " lengthAdjust startOffset method spacing side"
_PAINTING = "gradientUnits gradientTransform spreadMethod offset patternUnits"
_PAINTING += " patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits"
_PAINTING += " markerUnits markerWidth markerHeight refX refY orient type media"
_PRESENTATION = "alignment-baseline baseline-shift clip clip-path clip-rule color"
_PRESENTATION += " color-interpolation color-interpolation-filters color-rendering direction"
_PRESENTATION += " display dominant-baseline fill fill-opacity fill-rule filter flood-color"
_PRESENTATION += " flood-opacity font font-family font-size font-size-adjust font-stretch"
_PRESENTATION += " font-style font-variant font-weight image-rendering letter-spacing"
_PRESENTATION += " lighting-color marker marker-start marker-mid marker-end mask opacity"
_PRESENTATION += " overflow paint-order pointer-events shape-rendering stop-color stop-opacity"
_PRESENTATION += " stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin"
_PRESENTATION += " stroke-miterlimit stroke-opacity stroke-width text-anchor text-decoration"
_PRESENTATION += " text-rendering transform-origin unicode-bidi vector-effect visibility"
_PRESENTATION += " word-spacing writing-mode mix-blend-mode isolation"
_FILTERING = "filterUnits primitiveUnits in in2 result stdDeviation mode values tableValues"
_FILTERING += " slope intercept amplitude exponent operator k1 k2 k3 k4 order kernelMatrix"
_FILTERING += " divisor bias targetX targetY edgeMode kernelUnitLength preserveAlpha"
_FILTERING += " surfaceScale diffuseConstant specularConstant specularExponent azimuth"
_FILTERING += " elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle scale"
_FILTERING += " xChannelSelector yChannelSelector radius baseFrequency numOctaves seed"
_FILTERING += " stitchTiles requiredFeatures requiredExtensions systemLanguage"
ATTRIBUTES = frozenset(f"{_CORE} {_GEOMETRY} {_PAINTING} {_PRESENTATION} {_FILTERING}".split())
# Attributes in other namespaces do nothing in a browser (editors' own, e.g. inkscape:label),
# except these two, which do: XLink's href and title, and xml:space/xml:lang.
_XLINK = frozenset({f"{{{XLINK}}}href", f"{{{XLINK}}}title"})

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_pis": False,
}
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
# Whitespace and controls a URL parser skips or strips: `java\tscript:` is `javascript:`.
_INVISIBLE = re.compile(
    r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)
_URL = re.compile(r"url\(\s*(['\"]?)\s*(.?)", re.IGNORECASE)
# CSS that can fetch or hide a fetch: escapes, imports, fonts, image functions, old IE hooks.
_CSS_ACTIVE = re.compile(
    r"\\|@import|@font-face|@namespace|image-set\(|image\(|cross-fade\(|src\(|element\("
    r"|expression\(|behavio|binding",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def static_drawing_problem(data: bytes) -> str | None:
    """Why this SVG is not a static drawing (a Chinese phrase for the finding), or None."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError):
        return "无法解析的内容（不是完整的 SVG 文件）"
    tree = root.getroottree()
    if tree.docinfo.doctype:  # entity declarations live there; a drawing needs none
        return "文档类型声明（DOCTYPE）"
    if root.tag != f"{{{SVG}}}svg":
        return "不是 SVG 的根元素"
    for node in _nodes(root):
        problem = _node_problem(node)
        if problem is not None:
            return problem
    # nginx serves SVG with charset=utf-8, which a browser obeys over the file's own
    # declaration: only a UTF-8 file reads the same to this check and to the browser.
    if (tree.docinfo.encoding or "").upper() not in {"UTF-8", "US-ASCII", "ASCII"}:
        return f"非 UTF-8 编码（{tree.docinfo.encoding}）"
    return None


def _nodes(root: etree._Element) -> list[etree._Element]:
    """Every node of the document, the root's siblings (comments, PIs) included."""
    before = list(root.itersiblings(preceding=True))
    after = list(root.itersiblings())
    return [*before, *root.iter(), *after]


def _node_problem(node: etree._Element) -> str | None:
    if isinstance(node, etree._ProcessingInstruction):
        return f"处理指令 <?{node.target}?>"
    if isinstance(node, etree._Entity):
        return f"实体引用 &{node.name};"
    if isinstance(node, etree._Comment):
        return None
    name = etree.QName(node)
    if name.namespace != SVG or name.localname not in ELEMENTS:
        return f"不允许的元素 <{name.localname}>"
    if name.localname == "style" and not _css_is_static(node.text or ""):
        return "会加载外部资源的样式"
    for attribute, value in node.attrib.items():
        problem = _attribute_problem(str(attribute), str(value))
        if problem is not None:
            return problem
    return None


def _attribute_problem(attribute: str, value: str) -> str | None:
    qname = etree.QName(attribute)
    local = qname.localname
    if (qname.namespace is None and local not in ATTRIBUTES) or local.lower().startswith("on"):
        return f"不允许的属性 {local}"
    if qname.namespace == XLINK and attribute not in _XLINK:
        return f"不允许的属性 xlink:{local}"
    bare = _INVISIBLE.sub("", value)
    if local == "href":
        return None if bare.startswith("#") else "外部引用"
    if local == "style":
        return None if _css_is_static(value) else "会加载外部资源的样式"
    if _SCHEME.match(bare) or not _urls_are_local(value):
        return f"外部引用（{local} 属性）"
    return None


def _urls_are_local(text: str) -> bool:
    """Every `url(…)` names an element of this document (`url(#id)`)."""
    return all(m.group(2) == "#" for m in _URL.finditer(text))


def _css_is_static(css: str) -> bool:
    """CSS that references nothing outside this document; anything hard to judge is refused."""
    text = _COMMENT.sub("", css)
    return not _CSS_ACTIVE.search(text) and _urls_are_local(text)
