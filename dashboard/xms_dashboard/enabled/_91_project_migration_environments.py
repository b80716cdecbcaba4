PANEL = 'migration_environments'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'migration'
ADD_PANEL = 'xms_dashboard.content.environments.panel.Environments'
