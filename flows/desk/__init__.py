"""The staff desk in the staff group: case threads and cards, actions, lists, relays."""
