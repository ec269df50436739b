from goodwill.core.testing import (
    migrated_data_dir,
    migrated_template,
    postgres_data_dir,
    postgres_template,
    redis_url,
)

__all__ = ["migrated_data_dir", "migrated_template", "postgres_data_dir", "postgres_template", "redis_url"]
