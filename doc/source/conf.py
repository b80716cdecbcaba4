# XMS documentation build configuration.

import os
import sys

sys.path.insert(0, os.path.abspath('../..'))

extensions = [
    'openstackdocstheme',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'cliff.sphinxext',
]

openstackdocs_repo_name = 'openstack/xms'
openstackdocs_use_storyboard = False
openstackdocs_auto_name = False
openstackdocs_bug_project = 'xms'
openstackdocs_bug_tag = 'doc'

project = 'XMS'
copyright = '2026, XMS developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = []
pygments_style = 'native'
html_theme = 'openstackdocs'
html_static_path = []
