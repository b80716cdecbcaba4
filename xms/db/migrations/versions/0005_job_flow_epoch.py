"""Jobs: the claim epoch of the job's flow (fencing).

Each time a worker claims (or resumes) a job's flow it increments
``flow_epoch`` and remembers the value; every write the flow makes is
conditional on it, so a worker whose claim lapsed and whose flow was
resumed elsewhere can no longer commit anything for the job.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow_epoch', sa.Integer(),
                                      nullable=False, server_default='0'))
