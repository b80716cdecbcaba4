"""The unit tests of python-xmsclient (client/, its own distribution) in
the server's unit run, so the gate stays one command: ``stestr run``
lists them as ``xmsclient.tests.unit...``."""

import importlib
import pkgutil

from xmsclient.tests import unit


def load_tests(loader, standard_tests, pattern):
    # Not loader.discover(): a second top-level directory in one discovery
    # is refused ("Path must be within the project").
    for info in pkgutil.walk_packages(unit.__path__, unit.__name__ + '.'):
        if info.name.rsplit('.', 1)[-1].startswith('test_'):
            standard_tests.addTests(loader.loadTestsFromModule(
                importlib.import_module(info.name)))
    return standard_tests
