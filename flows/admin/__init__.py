"""The alert composer for admins: write, preview and send a safety alert; control it."""
