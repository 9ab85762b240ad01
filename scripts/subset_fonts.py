"""Subset the self-hosted Atkinson Hyperlegible Next for `make assets`.

Fontsource's "latin" files hold every Latin-1 glyph and several layout
features; the site needs English and Spanish text, its punctuation and the
word joiner that keeps footnote markers on their line, with kerning. Cutting
the rest makes each weight about a third smaller, which keeps a page's first
view, fonts included, inside its 60 KB budget. Writes static/fonts/*.woff2 and
assets/fonts.css (the @font-face rules that build.mjs puts first in the CSS).

    .venv/bin/python scripts/subset_fonts.py     (needs fonttools and brotli)
"""

from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules/@fontsource/atkinson-hyperlegible-next/files"
FAMILY = "Atkinson Hyperlegible Next"
WEIGHTS = [400, 700]
# ASCII; no-break space, ¡ © « ° · » ¿ and the Latin-1 letters (Spanish
# á é í ó ú ü ñ and their capitals among them); Œ œ; dashes, quotes, bullet,
# ellipsis; word joiner; euro; trademark.
UNICODE_RANGE = (
    "U+0020-007E,U+00A0-00A1,U+00A9,U+00AB,U+00B0,U+00B7,U+00BB,U+00BF,"
    "U+00C0-00FF,U+0152-0153,U+2013-2014,U+2018-201A,U+201C-201E,U+2022,"
    "U+2026,U+2060,U+20AC,U+2122"
)


def _codepoints():
    points = []
    for part in UNICODE_RANGE.split(","):
        start, _, end = part.removeprefix("U+").partition("-")
        points += range(int(start, 16), int(end or start, 16) + 1)
    return points


def main():
    out_dir = ROOT / "static/fonts"
    out_dir.mkdir(parents=True, exist_ok=True)
    faces = []
    for weight in WEIGHTS:
        name = f"atkinson-hyperlegible-next-latin-{weight}-normal.woff2"
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["kern"]
        options.name_IDs = ["*"]  # keep the copyright and licence names (OFL)
        font = subset.load_font(str(SOURCE / name), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_codepoints())
        subsetter.subset(font)
        subset.save_font(font, str(out_dir / name), options)
        faces.append(
            f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:{weight};'
            f'font-display:swap;src:url("../fonts/{name}") format("woff2");'
            f"unicode-range:{UNICODE_RANGE}}}"
        )
    (ROOT / "assets/fonts.css").write_text(
        "/* Written by scripts/subset_fonts.py; do not edit. */\n"
        + "\n".join(faces)
        + "\n"
    )


if __name__ == "__main__":
    main()
