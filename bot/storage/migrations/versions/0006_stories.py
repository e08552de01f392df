"""Stories and their members, with the evidence of each decision; the queue of articles
waiting for their story.

Articles published in the 48 hours (the default story window) before the upgrade are
queued, so the bot threads them at its first start, in publication order; older ones get
no story.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00
"""

from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("outlets", sa.Integer(), nullable=False),
        sa.Column("breaking_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index(op.f("ix_stories_opened_at"), "stories", ["opened_at"], unique=False)
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("outlet", sa.String(length=255), nullable=False),
        sa.Column("threaded", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("moved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_members_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_members_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_members")),
        sa.UniqueConstraint("seq", name=op.f("uq_story_members_seq")),
    )
    op.create_index(
        op.f("ix_story_members_story_id_seq"), "story_members", ["story_id", "seq"], unique=False
    )
    op.create_table(
        "story_queue",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_queue_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_queue")),
    )
    # Stored naive UTC, as bot.storage.schema.UTCDateTime writes it.
    since = (datetime.now(UTC) - timedelta(hours=48)).replace(tzinfo=None)
    op.execute(
        sa.text(
            "INSERT INTO story_queue (article_id) SELECT id FROM articles WHERE published >= :since"
        ).bindparams(sa.bindparam("since", since, type_=sa.DateTime()))
    )


def downgrade() -> None:
    op.drop_table("story_queue")
    op.drop_index(op.f("ix_story_members_story_id_seq"), table_name="story_members")
    op.drop_table("story_members")
    op.drop_index(op.f("ix_stories_opened_at"), table_name="stories")
    op.drop_table("stories")
