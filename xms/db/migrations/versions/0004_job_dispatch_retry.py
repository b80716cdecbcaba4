"""Jobs: dispatch attempts and the time of the next re-post.

The conductor's scheduler re-posts the flow of a queued or cancelling
job that could not be handed to a worker, with exponential backoff, and
fails the job after ``[conductor]/dispatch_max_attempts``.

Revision ID: 0004
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatch_attempts', sa.Integer(),
                                      nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_dispatch_at', sa.DateTime(),
                                      nullable=True))
