PANEL = 'migration_events'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'migration'
ADD_PANEL = 'xms_dashboard.content.events.panel.Events'
