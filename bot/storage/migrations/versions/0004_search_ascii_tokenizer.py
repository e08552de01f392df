"""SQLite's search index splits on ASCII separators only (FTS5 'ascii' tokenizer).

The indexed text is Marsad's own space-joined keys, already case- and diacritic-folded, so
unicode61's Unicode tables only cost time: indexing a big cycle's articles took ~30% more.
PostgreSQL is untouched. The index is rebuilt from the articles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 11:20:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_CREATE = (
    "CREATE VIRTUAL TABLE article_search USING fts5("
    "norm_text, content='articles', content_rowid='id', tokenize='{tokenizer}')"
)


def _rebuild(tokenizer: str) -> None:
    """Recreate the FTS5 table with a tokenizer; the triggers name it, so they keep working."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS article_search")
    op.execute(_CREATE.format(tokenizer=tokenizer))
    op.execute("INSERT INTO article_search(article_search) VALUES ('rebuild')")


def upgrade() -> None:
    _rebuild("ascii")


def downgrade() -> None:
    _rebuild("unicode61")
