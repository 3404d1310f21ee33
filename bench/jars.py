#!/usr/bin/env python3
"""Rewrites jars in place with their entries stored (`store`) or deflated (`deflate`), same entries, same order.

The device bundle travels as one xz archive of at most 64 MiB: xz cannot compress deflated jars any further, but
compresses the same jars stored to about a third (scripts/device-bundle.sh). run-on-gpu.sh deflates them back
before anything is timed, so start-up is measured on jars as Maven builds and the image ships them.
usage: jars.py store|deflate JAR...
"""
import os
import sys
import zipfile


def rewrite(path, method):
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", method) as dst:
        for info in src.infolist():
            data = src.read(info)
            info.compress_type = method
            dst.writestr(info, data)
    os.replace(tmp, path)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("store", "deflate"):
        sys.exit(__doc__)
    method = zipfile.ZIP_STORED if sys.argv[1] == "store" else zipfile.ZIP_DEFLATED
    for path in sys.argv[2:]:
        rewrite(path, method)


if __name__ == "__main__":
    main()
