from goodwill.core.testing import migrated_data_dir, migrated_template

__all__ = ["migrated_data_dir", "migrated_template"]
