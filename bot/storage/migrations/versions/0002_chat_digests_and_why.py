"""Chat digest time, last digest slot and a fixed language; find deliveries by message;
search: a stored tsvector on PostgreSQL and an index for the lang: filter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 08:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest_at", sa.String(length=5), nullable=False, server_default="08:00")
        )
        batch_op.add_column(sa.Column("last_digest_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("language_fixed", sa.Boolean(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveries_chat_id_message_id"), ["chat_id", "message_id"], unique=False
        )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_articles_language_published"), ["language", "published"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_SEARCH_DROP:
            op.execute(statement)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_language_published"))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_chat_id_message_id"))
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("language_fixed")
        batch_op.drop_column("last_digest_at")
        batch_op.drop_column("digest_at")


# PostgreSQL ranks with ts_rank, which reads each candidate's tsvector: computing it from
# norm_text per row cost ~10x more than reading a stored one. The column is generated, so
# the store's inserts need not know it exists (it is not in bot/storage/schema.py).
POSTGRES_SEARCH = [
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, norm_text)) STORED",
    # fastupdate off: every query would otherwise scan the unsorted pending list (up to
    # 4 MB, until a vacuum merges it), which made p50 of a rare word 50 ms instead of 1 ms;
    # news arrives slowly enough to pay for the index update at insert.
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector) "
    "WITH (fastupdate = off)",
    "DROP INDEX IF EXISTS ix_articles_search",
]
POSTGRES_SEARCH_DROP = [
    "CREATE INDEX IF NOT EXISTS ix_articles_search ON articles "
    "USING gin (to_tsvector('simple'::regconfig, norm_text))",
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
]
