"""Draw the Lanternfield mark once and write every brand file from it.

    .venv/bin/python scripts/brand_assets.py      (also run by `make assets`)

The mark (a lantern with a warm flame on a teal tile) is defined below as a
few shapes on a 64-unit grid. The same shapes become the SVG files and, through
Pillow, the PNG and ICO files, so the favicon, the app icon, the Open Graph
image and the email logo cannot drift from the logo. Output is deterministic.
The wordmark in the PNGs is set in the self-hosted Atkinson Hyperlegible Next
(npm package, installed by `npm ci`).
"""

import sys
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "node_modules/@fontsource/atkinson-hyperlegible-next/files"

TEAL = "#1d5c57"
TEAL_DARK = "#133f3c"
CREAM = "#f7f5f0"
GLOW = "#e8a33d"
INK_MUTED = "#4b5b5e"

# Cubic Bezier segments on the 64 grid: (start, control 1, control 2, end).
HANDLE = [((24, 18), (24, 8), (40, 8), (40, 18))]
FLAME = [
    ((32, 27), (36.5, 32), (37.5, 35), (37.5, 38.5)),
    ((37.5, 38.5), (37.5, 41.6), (35, 44), (32, 44)),
    ((32, 44), (29, 44), (26.5, 41.6), (26.5, 38.5)),
    ((26.5, 38.5), (26.5, 35), (27.5, 32), (32, 27)),
]
# Rounded rectangles: x, y, width, height, radius, fill, stroke width.
TILE = (0, 0, 64, 64, 14, TEAL, 0)
PARTS = [
    (20, 17, 24, 5, 2, CREAM, 0),  # cap
    (22.5, 23.5, 19, 22, 3.5, None, 3),  # glass
    (18, 46, 28, 5, 2, CREAM, 0),  # base
]


def _bezier_points(segments, steps=24):
    points = []
    for p0, p1, p2, p3 in segments:
        for i in range(steps + 1):
            t = i / steps
            u = 1 - t
            points.append(
                tuple(
                    u**3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t**3 * d
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    return points


def _svg_path(segments):
    (x, y), *_ = segments[0]
    d = f"M{x:g} {y:g}"
    for _, (ax, ay), (bx, by), (cx, cy) in segments:
        d += f"C{ax:g} {ay:g} {bx:g} {by:g} {cx:g} {cy:g}"
    return d


def mark_svg_body(tile=True):
    parts = []
    if tile:
        x, y, w, h, r, fill, _ = TILE
        parts.append(f'<rect width="{w}" height="{h}" rx="{r}" fill="{fill}"/>')
    for x, y, w, h, r, fill, stroke in PARTS:
        paint = (
            f'fill="{fill}"'
            if fill
            else f'fill="none" stroke="{CREAM}" stroke-width="{stroke}"'
        )
        parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{r:g}" {paint}/>'
        )
    parts.append(
        f'<path d="{_svg_path(HANDLE)}" fill="none" stroke="{CREAM}" '
        'stroke-width="3" stroke-linecap="round"/>'
    )
    parts.append(f'<path d="{_svg_path(FLAME)}Z" fill="{GLOW}"/>')
    return "".join(parts)


def mark_svg(extra=""):
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"{extra}>{mark_svg_body()}</svg>'


def logo_svg():
    # The lockup for print and press use; on the site the header sets the
    # name in HTML next to the inline mark, so it follows the brand setting.
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 64" role="img" '
        'aria-labelledby="t"><title id="t">Lanternfield Ketamine Clinics</title>'
        f"<g>{mark_svg_body()}</g>"
        "<g font-family=\"'Atkinson Hyperlegible Next', Arial, sans-serif\">"
        f'<text x="76" y="34" font-size="28" font-weight="700" fill="{TEAL_DARK}">Lanternfield</text>'
        f'<text x="77" y="54" font-size="12.5" font-weight="700" letter-spacing="2.4" fill="{INK_MUTED}">'
        "KETAMINE CLINICS</text></g></svg>"
    )


def draw_mark(size, tile=True):
    scale = 4  # draw large, then downsample, for smooth edges
    s = size * scale / 64
    img = Image.new("RGBA", (size * scale, size * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)

    def box(x, y, w, h):
        return [x * s, y * s, (x + w) * s, (y + h) * s]

    if tile:
        x, y, w, h, r, fill, _ = TILE
        draw.rounded_rectangle(box(x, y, w, h), radius=r * s, fill=fill)
    for x, y, w, h, r, fill, stroke in PARTS:
        if fill:
            draw.rounded_rectangle(box(x, y, w, h), radius=r * s, fill=fill)
        else:
            draw.rounded_rectangle(
                box(x - stroke / 2, y - stroke / 2, w + stroke, h + stroke),
                radius=(r + stroke / 2) * s,
                outline=CREAM,
                width=round(stroke * s),
            )
    handle = [(x * s, y * s) for x, y in _bezier_points(HANDLE)]
    draw.line(handle, fill=CREAM, width=round(3 * s), joint="curve")
    for end in (handle[0], handle[-1]):
        r = 1.5 * s
        draw.ellipse([end[0] - r, end[1] - r, end[0] + r, end[1] + r], fill=CREAM)
    draw.polygon([(x * s, y * s) for x, y in _bezier_points(FLAME)], fill=GLOW)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def _font(weight, size):
    return ImageFont.truetype(
        str(FONTS / f"atkinson-hyperlegible-next-latin-{weight}-normal.woff"), size
    )


def og_image():
    width, height = 1200, 630
    img = Image.new("RGB", (width, height), CREAM)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, height - 24, width, height], fill=TEAL)
    img.paste(mark := draw_mark(220), (110, 150), mark)
    draw.text((380, 170), "Lanternfield", font=_font(700, 110), fill=TEAL_DARK)
    draw.text((386, 305), "KETAMINE CLINICS", font=_font(700, 44), fill=INK_MUTED)
    draw.text(
        (110, 440),
        "Clinician-led care. Cited, reviewed information.",
        font=_font(400, 46),
        fill=TEAL_DARK,
    )
    return img


def email_logo():
    # PNG, because many mail programs do not show SVG; twice the shown size.
    img = Image.new("RGBA", (600, 128), (0, 0, 0, 0))
    img.paste(mark := draw_mark(128), (0, 0), mark)
    draw = ImageDraw.Draw(img)
    draw.text((150, 14), "Lanternfield", font=_font(700, 58), fill=TEAL_DARK)
    draw.text((153, 86), "KETAMINE CLINICS", font=_font(700, 24), fill=INK_MUTED)
    return img


def _png(img, colors=None):
    if colors:
        img = img.quantize(
            colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    out = BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def shape_outputs():
    """The brand files drawn from the shapes alone: {repository path: bytes}."""
    ico = BytesIO()
    draw_mark(48).save(ico, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    apple = Image.new("RGB", (180, 180), TEAL)
    # iOS rounds the corners itself; a full-bleed tile with the lantern inset.
    mark = draw_mark(180)
    apple.paste(mark, (0, 0), mark)
    return {
        "static/img/favicon.svg": mark_svg().encode(),
        "static/img/logo.svg": logo_svg().encode(),
        "templates/includes/logo_mark.svg": mark_svg(
            ' class="brand-mark" aria-hidden="true" focusable="false"'
        ).encode(),
        "static/root/favicon.ico": ico.getvalue(),
        "static/root/apple-touch-icon.png": _png(apple, 64),
    }


def outputs():
    """Every brand file; the ones with the wordmark need the npm font."""
    return {
        **shape_outputs(),
        "static/img/og-image.png": _png(og_image(), 64),
        "static/img/logo-email.png": _png(email_logo()),
    }


def main():
    for relative, data in outputs().items():
        path = ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sys.stdout.write(f"{relative}: {len(data):,} bytes\n")


if __name__ == "__main__":
    main()
