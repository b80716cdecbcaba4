"""The Migrations table: one row per job, refreshed in place while the
job runs (Horizon's ajax row update polls rows whose state is not final).

Row actions follow two gates: the policy rule the API enforces (a reader
sees none) and the job's ``allowed_actions`` from the API, so a button is
offered only in the states where the API would take it.
"""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from xms_dashboard import formats
from xms_dashboard.api import xms


def progress_bar(job):
    """A Bootstrap progress bar of the job's bytes done."""
    progress = getattr(job, 'progress', None) or {}
    percent = float(progress.get('percent') or 0)
    if job.state == 'completed':
        percent = 100.0
    style = {'failed': 'progress-bar-danger',
             'cancelled': 'progress-bar-warning',
             'completed': 'progress-bar-success'}.get(job.state, '')
    active = '' if job.state in xms.FINAL_STATES else \
        ' progress-bar-striped active'
    return format_html(
        '<div class="progress xms-progress" data-percent="{p}" '
        'style="min-width: 8em; margin-bottom: 0">'
        '<div class="progress-bar {s}{a}" role="progressbar" '
        'aria-valuenow="{p}" aria-valuemin="0" aria-valuemax="100" '
        'style="width: {p}%; min-width: 2.5em">{p}%</div></div>',
        p='%.0f' % percent, s=style, a=active)


def rate(job):
    return formats.rate((getattr(job, 'progress', None) or {}).get(
        'rate_bps'))


def eta(job):
    if job.state in xms.FINAL_STATES:
        return '-'
    return formats.duration((getattr(job, 'progress', None) or {}).get(
        'eta_seconds'))


def lag(job):
    """Warm jobs: time since the last sync, and what the next carries."""
    if job.type != 'warm':
        return '-'
    info = getattr(job, 'lag', None) or {}
    if info.get('seconds') is None:
        return _('no sync yet')
    text = formats.duration(info['seconds'])
    if info.get('pending_bytes') is not None:
        text = '%s (%s %s)' % (text, formats.size(info['pending_bytes']),
                               _('pending'))
    return text


def _detail_link(job):
    return reverse('horizon:project:migration_jobs:detail', args=[job.uuid])


class NewMigration(tables.LinkAction):
    name = 'create'
    verbose_name = _('New Migration')
    url = 'horizon:project:migration_jobs:create'
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = (('migration', 'xms:jobs:create'),)


class _JobAction(tables.BatchAction):
    """One of the API's job actions, offered when the state allows it."""
    api_action = None

    def allowed(self, request, job=None):
        if job is None:
            return True
        return self.api_action in (getattr(job, 'allowed_actions', None)
                                   or ())

    def action(self, request, obj_id):
        xms.job_action(request, obj_id, self.api_action)


class SyncNow(_JobAction):
    name = 'sync'
    help_text = _('Copies the blocks changed since the last sync now.')
    api_action = 'sync'
    policy_rules = (('migration', 'xms:jobs:sync'),)

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Sync Now', 'Sync Now', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Sync started for', 'Syncs started for', count)


class Cutover(_JobAction):
    name = 'cutover'
    api_action = 'cutover'
    classes = ('btn-danger',)
    policy_rules = (('migration', 'xms:jobs:cutover'),)
    help_text = _('Cutover copies the last changes, shuts the source VM '
                  'down (powered off hard after the shutdown timeout), '
                  'prepares the guest and boots the target instance. The '
                  'source stays powered off and the target becomes the '
                  'authoritative copy.')

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Cutover', 'Cutover', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Cutover started for', 'Cutover started for',
                             count)


class Cancel(_JobAction):
    name = 'cancel'
    api_action = 'cancel'
    classes = ('btn-danger',)
    policy_rules = (('migration', 'xms:jobs:cancel'),)
    help_text = _('Cancel stops the running step, removes the snapshots '
                  'XMS made, deletes the target volumes and ports and '
                  'powers the source back on if XMS powered it off.')

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Cancel Migration', 'Cancel Migrations', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Cancelled Migration', 'Cancelled Migrations',
                             count)


class Retry(_JobAction):
    name = 'retry'
    help_text = _('Resumes the job from the step that failed, keeping the '
                  'data already copied.')
    api_action = 'retry'
    policy_rules = (('migration', 'xms:jobs:retry'),)

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Retry', 'Retry', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Retried', 'Retried', count)


class DeleteMigration(tables.DeleteAction):
    policy_rules = (('migration', 'xms:jobs:delete'),)

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Delete Migration', 'Delete Migrations', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Deleted Migration', 'Deleted Migrations',
                             count)

    def allowed(self, request, job=None):
        if job is None:
            return True
        return 'delete' in (getattr(job, 'allowed_actions', None) or ())

    def delete(self, request, obj_id):
        xms.job_delete(request, obj_id)


class UpdateRow(tables.Row):
    ajax = True

    def get_data(self, request, job_id):
        return xms.job_get(request, job_id)


STATE_CHOICES = (('completed', True), ('failed', False),
                 ('cancelled', False))


class JobsTable(tables.DataTable):
    vm = tables.Column('vm_name', verbose_name=_('VM'), link=_detail_link)
    type = tables.Column('type', verbose_name=_('Type'))
    state = tables.Column('state', verbose_name=_('State'), status=True,
                          status_choices=STATE_CHOICES)
    phase = tables.Column('phase', verbose_name=_('Phase'),
                          empty_value='-')
    progress = tables.Column(progress_bar, verbose_name=_('Progress'))
    rate = tables.Column(rate, verbose_name=_('Rate'))
    eta = tables.Column(eta, verbose_name=_('ETA'))
    lag = tables.Column(lag, verbose_name=_('Lag'))

    class Meta:
        name = 'jobs'
        verbose_name = _('Migrations')
        status_columns = ['state']
        row_class = UpdateRow
        table_actions = (NewMigration, DeleteMigration)
        row_actions = (SyncNow, Cutover, Cancel, Retry, DeleteMigration)
