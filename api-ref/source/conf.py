# XMS REST API reference build configuration (os-api-ref).

extensions = [
    'os_api_ref',
    'openstackdocstheme',
]

html_theme = 'openstackdocs'
html_theme_options = {
    'sidebar_mode': 'toc',
}

openstackdocs_repo_name = 'openstack/xms'
openstackdocs_bug_project = 'xms'
openstackdocs_bug_tag = 'api-ref'
openstackdocs_auto_name = False

project = 'XMS API Reference'
copyright = '2026, XMS developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = []
pygments_style = 'native'
html_static_path = []
