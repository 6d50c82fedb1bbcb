"""Is this PNG a rendered page, or blank?  (test/html/run.sh)

    python3 png_check.py FILE [RRGGBB ...]

Decodes the PNG (8-bit RGB or RGBA, not interlaced, as Chromium writes
them) with zlib and the five PNG row filters, and fails unless
  - at least 1 % of the pixels differ from the most common colour (the
    background) and there are at least 4 colours (text is antialiased);
  - every colour given appears in at least 100 pixels (a bar of a chart
    is a solid rectangle of its fill colour).
Prints the figures.  The standard library only.
"""
import struct
import sys
import zlib
from collections import Counter


def decode(path):
    """Width, height, bytes per pixel and the unfiltered rows of the PNG at path."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {ctype}, interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        cur = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:          # Sub
            for i in range(bpp, stride):
                cur[i] = (cur[i] + cur[i - bpp]) & 255
        elif ftype == 2:        # Up
            cur = bytearray((a + b) & 255 for a, b in zip(cur, prev))
        elif ftype == 3:        # Average
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 255
        elif ftype == 4:        # Paeth
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif ftype != 0:
            raise ValueError(f"bad filter type {ftype} in row {y}")
        rows.append(bytes(cur))
        prev = cur
    return width, height, bpp, rows


def main():
    path, wanted = sys.argv[1], [w.lower() for w in sys.argv[2:]]
    try:
        width, height, bpp, rows = decode(path)
    except (OSError, ValueError, zlib.error, TypeError, struct.error) as e:
        print(f"png_check: {path}: {e}")
        return 1
    colours = Counter()
    for row in rows:
        colours.update(row[i:i + 3] for i in range(0, len(row), bpp))
    total = width * height
    background, nbg = colours.most_common(1)[0]
    share = 100.0 * (total - nbg) / total
    print(f"png_check: {path}: {width}x{height}, {len(colours)} colours, "
          f"{share:.1f}% of the pixels not background #{background.hex()}")
    ok = share >= 1.0 and len(colours) >= 4
    for w in wanted:
        n = colours.get(bytes.fromhex(w), 0)
        print(f"png_check:   #{w}: {n} pixels")
        ok = ok and n >= 100
    if not ok:
        print(f"png_check: {path}: blank, or a chart colour is missing")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
