"""Settings, read from the environment (prefix ORDOFLOW_) by bootstrap and entrypoints only."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///ordoflow.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORDOFLOW_", extra="ignore")

    #: The only switch between the embedded default and production.
    database_url: str = DEFAULT_DATABASE_URL
    #: CloudEvents `source` of every event this installation emits.
    event_source: str = "urn:ordoflow"


__all__ = ["DEFAULT_DATABASE_URL", "Settings"]
