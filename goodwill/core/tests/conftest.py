from goodwill.core.testing import migrated_data_dir, postgres_data_dir, redis_url

__all__ = ["migrated_data_dir", "postgres_data_dir", "redis_url"]
