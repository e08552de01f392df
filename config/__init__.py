"""Settings and built-in data files (topics.toml, feeds.toml)."""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
TOPICS_FILE = CONFIG_DIR / "topics.toml"
FEEDS_FILE = CONFIG_DIR / "feeds.toml"
