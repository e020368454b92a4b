"""SQL persistence: tables, repositories, unit of work and Alembic migrations."""
