PANEL = 'migration_discover'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'migration'
ADD_PANEL = 'xms_dashboard.content.discover.panel.Discover'
