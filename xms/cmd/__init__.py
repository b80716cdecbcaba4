"""Console scripts. Each module has one ``main()``.

:func:`run` wraps every ``main`` so that a configuration, database or
broker problem ends the process with one clear line on stderr and exit
status 1, never a traceback.
"""

import sys

from xms.common import exception


def run(func, *args):
    try:
        return func(*args)
    except exception.XmsException as exc:
        sys.stderr.write('%s: error: %s\n'
                         % (_prog(), str(exc).splitlines()[0]))
        return 1
    except KeyboardInterrupt:
        return 130


def _prog():
    import os
    return os.path.basename(sys.argv[0]) if sys.argv else 'xms'
