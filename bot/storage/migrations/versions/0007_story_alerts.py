"""One alert per story: story_alerts, the write's alerting choice on the story queue, and
the chats' quiet and breaking settings.

Articles queued before the upgrade were alerted at their write already: they alert no more.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet", sa.Boolean(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("breaking_outlets", sa.Integer(), nullable=False, server_default="3")
        )
        batch_op.add_column(
            sa.Column("breaking_minutes", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("story_queue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert", sa.Boolean(), nullable=False, server_default="0"))
    op.create_table(
        "story_alerts",
        sa.Column("story_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("grown_at", sa.DateTime(), nullable=True),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("edited_seq", sa.BigInteger(), nullable=False),
        sa.Column("breaking_at", sa.DateTime(), nullable=True),
        sa.Column("breaking_told_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_story_alerts_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_story_alerts_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("story_id", "chat_id", "thread_id", name=op.f("pk_story_alerts")),
    )
    op.create_index(op.f("ix_story_alerts_grown_at"), "story_alerts", ["grown_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_story_alerts_grown_at"), table_name="story_alerts")
    op.drop_table("story_alerts")
    with op.batch_alter_table("story_queue", schema=None) as batch_op:
        batch_op.drop_column("alert")
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("breaking_minutes")
        batch_op.drop_column("breaking_outlets")
        batch_op.drop_column("quiet")
