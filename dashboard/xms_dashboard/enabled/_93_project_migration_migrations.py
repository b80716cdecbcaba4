PANEL = 'migration_jobs'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'migration'
ADD_PANEL = 'xms_dashboard.content.migrations.panel.Migrations'
