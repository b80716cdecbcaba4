"""One active job per VM, override reasons, preflight fingerprints.

``jobs.active_vm_id`` holds the job's VM while the job still claims it
(every state but completed and cancelled, see
``xms.common.states.VM_RELEASED_STATES``) and NULL afterwards; a unique
constraint on it is what guarantees at most one such job per VM, however
many requests race. NULLs never collide on MariaDB or SQLite.

``jobs.override_reason`` records why an admin overrode a Block.
``preflights.vm_fingerprint`` is the digest of the inventory a preflight
assessed, so a rescan that changes the VM invalidates the verdict.

Revision ID: 0003
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the
# state machine does.
_RELEASED = ('completed', 'cancelled')


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_vm_id', sa.Integer(),
                                      nullable=True))
        batch_op.add_column(sa.Column('override_reason', sa.Text(),
                                      nullable=True))
    # Existing rows: the newest unreleased job of each VM keeps its claim
    # (older duplicates, which the constraint now forbids, do not). The
    # derived table lets MariaDB read the table it updates.
    op.execute(sa.text(
        'UPDATE jobs SET active_vm_id = vm_id WHERE id IN ('
        'SELECT id FROM (SELECT MAX(id) AS id FROM jobs '
        'WHERE vm_id IS NOT NULL AND state NOT IN :released '
        'GROUP BY vm_id) AS latest)').bindparams(
            sa.bindparam('released', _RELEASED, expanding=True)))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_unique_constraint('uniq_jobs0active_vm_id',
                                          ['active_vm_id'])
        batch_op.create_foreign_key('jobs_active_vm_id_fkey', 'vms',
                                    ['active_vm_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('preflights', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vm_fingerprint', sa.String(64),
                                      nullable=True))
