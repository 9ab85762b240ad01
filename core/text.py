"""Plain-text hygiene for what patients type.

Invisible characters make a record hard to read and can disguise what it says
to the staff member reading it (a right-to-left override turns "gpj.exe" into
"exe.jpg"), so they are removed before anything is stored.
"""

import unicodedata

# Embeddings, overrides and isolates: U+202A–U+202E and U+2066–U+2069.
BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85\x0b\x0c")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Drop control and bidi-override characters; keep line breaks only if multiline.

    Single-line values also have runs of whitespace collapsed to one space, so a
    name can never carry a line break into anything that prints it.
    """
    value = value.replace("\r\n", "\n")
    kept = []
    for char in value:
        if char in LINE_BREAKS:
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            continue
        else:
            kept.append(char)
    text = "".join(kept)
    if multiline:
        return "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return " ".join(text.split())
