"""The Khmer and English catalogs, installed as bot.locales (see bot/resources.py)."""
