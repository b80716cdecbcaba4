"""Barbican's API as a WSGI app built from a given paste file.

``barbican.wsgi.api`` reads ``/etc/barbican/barbican-api-paste.ini``
only; the mini-cloud keeps everything under its lab directory. Served by
``serve.py PORT barbican_app:application PASTE_INI`` in Barbican's venv,
with HOME pointing at the directory whose ``.barbican/barbican.conf``
configures it.
"""

import sys

from paste import deploy

application = deploy.loadapp('config:%s' % sys.argv[1])
