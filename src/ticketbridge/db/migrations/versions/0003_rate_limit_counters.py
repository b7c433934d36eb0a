"""rate_limit_counters: the per-account request counter of the rate limit

One row per account (its current fixed window and the requests counted in it), updated by
one upsert per request when TICKETBRIDGE_RATE_LIMIT_PER_MINUTE is set on PostgreSQL, so
every API process draws from one budget. Created on SQLite too (unused there: the single
API process counts in memory) so both stores have one schema.

Revision ID: 0003_rate_limit_counters
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_rate_limit_counters"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_rate_limit_counters_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_rate_limit_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
