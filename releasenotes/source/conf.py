# XMS release notes build configuration.

extensions = ['openstackdocstheme', 'reno.sphinxext']
openstackdocs_repo_name = 'openstack/xms'
openstackdocs_use_storyboard = False
openstackdocs_auto_name = False
project = 'XMS Release Notes'
copyright = '2026, XMS developers'
master_doc = 'index'
source_suffix = '.rst'
html_theme = 'openstackdocs'
html_static_path = []
