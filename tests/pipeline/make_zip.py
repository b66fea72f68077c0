#!/usr/bin/python3
"""Write a ZIP archive for the upload-pipeline tests, including hostile ones.

Usage: make_zip.py SPEC.json OUT.zip

Spec: {"members": [member, ...]} in archive order, each member one of
    {"name": "a/b.csv", "text": "..."}                 UTF-8 text
    {"name": "a/b.xlsx", "path": "/abs/file"}           bytes of a file
    {"name": "a/", "dir": true}                          a directory entry
    {"name": "big.csv", "header": "a,b\\n", "line": "1,1\\n", "bytes": N}
                                                         header plus `line` repeated up to N bytes, streamed
                                                         (a zip bomb: deflate packs it ~1000:1, never in memory)
Names are written verbatim: "../evil.csv" stays "../evil.csv" (zipfile keeps ".." components).
"""
import json
import sys
import zipfile


def write_streamed(archive, member):
    info = zipfile.ZipInfo(member["name"])
    info.compress_type = zipfile.ZIP_DEFLATED
    line = member["line"].encode()
    chunk = line * max(1, (1 << 20) // len(line))
    remaining = member["bytes"]
    with archive.open(info, "w", force_zip64=True) as out:
        header = member.get("header", "").encode()
        out.write(header)
        remaining -= len(header)
        while remaining > 0:
            piece = chunk[:remaining]
            out.write(piece)
            remaining -= len(piece)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    with zipfile.ZipFile(argv[2], "w", zipfile.ZIP_DEFLATED) as archive:
        for member in spec["members"]:
            if member.get("dir"):
                archive.writestr(zipfile.ZipInfo(member["name"]), b"")
            elif "text" in member:
                archive.writestr(zipfile.ZipInfo(member["name"]), member["text"].encode("utf-8"),
                                 compress_type=zipfile.ZIP_DEFLATED)
            elif "path" in member:
                with open(member["path"], "rb") as f:
                    archive.writestr(zipfile.ZipInfo(member["name"]), f.read(), compress_type=zipfile.ZIP_DEFLATED)
            else:
                write_streamed(archive, member)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
