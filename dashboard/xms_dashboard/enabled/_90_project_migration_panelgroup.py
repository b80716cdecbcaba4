# The panel group "Migration" of the Project dashboard; the panels of
# xms-dashboard (_91 to _94) sit in it.

from xmsclient import exceptions

PANEL_GROUP = 'migration'
PANEL_GROUP_NAME = 'Migration'
PANEL_GROUP_DASHBOARD = 'project'

# Templates, static files and template tags of the plugin.
ADD_INSTALLED_APPS = ['xms_dashboard']
# The API's refusals (403, 409, ...) are shown as messages, not error pages.
ADD_EXCEPTIONS = {'recoverable': (exceptions.ClientException,)}
AUTO_DISCOVER_STATIC_FILES = True
