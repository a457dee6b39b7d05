"""The staff-editable data files, installed as bot.data (see bot/resources.py)."""
