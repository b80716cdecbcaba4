#!/usr/bin/env python3
"""Make Debian's libnbd Python binding importable from a virtualenv.

libnbd's Python binding is not published on PyPI (the ``nbd`` package there
is an unrelated project), so XMS uses Debian's ``python3-libnbd``. Its C
extension is built for the same CPython minor version and is ABI compatible
with any CPython 3.11 interpreter, so two symlinks into the environment's
site-packages are enough. Nothing else from the system site-packages leaks in.

Run with the environment's interpreter: ``.venv/bin/python
tools/link-system-libnbd.py``. It is idempotent, and it exits non-zero with a
clear message when the binding is missing or built for another Python.
"""

import glob
import os
import sys
import sysconfig

SYSTEM_DIR = os.environ.get('XMS_LIBNBD_DIR', '/usr/lib/python3/dist-packages')


def main():
    purelib = sysconfig.get_paths()['purelib']
    tag = 'cpython-%d%d' % sys.version_info[:2]
    wanted = [os.path.join(SYSTEM_DIR, 'nbd.py')]
    wanted += glob.glob(os.path.join(SYSTEM_DIR, 'libnbdmod.%s-*.so' % tag))
    if len(wanted) < 2 or not all(os.path.exists(p) for p in wanted):
        found = glob.glob(os.path.join(SYSTEM_DIR, 'libnbdmod.*.so'))
        sys.stderr.write(
            'libnbd Python binding for %s not found in %s (found: %s). '
            'Install it with: apt-get install python3-libnbd\n'
            % (tag, SYSTEM_DIR, ', '.join(found) or 'nothing'))
        return 1
    for src in wanted:
        dst = os.path.join(purelib, os.path.basename(src))
        if os.path.islink(dst) and os.readlink(dst) == src:
            continue
        if os.path.lexists(dst):
            os.unlink(dst)
        os.symlink(src, dst)
    return 0


if __name__ == '__main__':
    sys.exit(main())
