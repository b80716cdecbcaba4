"""The committed api-ref matches the schemas it is generated from."""

import os

from xms.api import apiref
from xms.tests import base

SOURCE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..',
                      'api-ref', 'source')


class TestApiRef(base.TestCase):

    def test_committed_files_are_current(self):
        for name, text in apiref.render().items():
            with open(os.path.join(SOURCE, name)) as f:
                self.assertEqual(
                    text, f.read(),
                    '%s is stale: run "python -m xms.api.apiref '
                    'api-ref/source"' % name)

    def test_every_route_is_documented(self):
        files = apiref.render()
        text = ''.join(v for k, v in files.items() if k.endswith('.inc'))
        from xms.api import openapi
        for method, path, *_rest in openapi.ROUTES:
            self.assertIn('.. rest_method:: %s %s' % (method.upper(), path),
                          text)

    def test_index_includes_every_resource(self):
        with open(os.path.join(SOURCE, 'index.rst')) as f:
            index = f.read()
        for resource, _title, _intro in apiref.RESOURCES:
            self.assertIn('.. include:: %s.inc' % resource, index)
