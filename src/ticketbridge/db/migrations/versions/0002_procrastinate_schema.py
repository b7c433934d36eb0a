"""procrastinate schema (PostgreSQL only)

The job queue of PostgreSQL deployments (see ticketbridge/jobs/queue.py). Applies the
schema.sql of the installed procrastinate version when its tables are absent; later
procrastinate upgrades bring their own SQL migrations, to be added as new revisions
(docs/operations.md). On SQLite there is no procrastinate: nothing to do.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.util import await_only

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _execute_script(bind: Connection, script: str) -> None:
    """Runs a multi-statement SQL script in the migration's transaction.

    asyncpg prepares every statement it gets through SQLAlchemy, and a prepared statement
    holds one command; its own ``execute`` without arguments takes a whole script.
    """
    raw = bind.connection.driver_connection
    if bind.dialect.driver == "asyncpg" and raw is not None:
        await_only(raw.execute(script))
    else:  # psycopg and other DB-API drivers take scripts as they are
        bind.exec_driver_sql(script)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is not None:
        return
    _execute_script(bind, SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _execute_script(
        bind,
        """
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
            procrastinate_jobs, procrastinate_workers CASCADE;
        DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
            procrastinate_job_status CASCADE;
        """,
    )
    _execute_script(
        bind,
        """
        DO $$
        DECLARE f record;
        BEGIN
            FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
            LOOP
                EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE';
            END LOOP;
        END $$;
        """,
    )
