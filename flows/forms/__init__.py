"""The report forms (wage claim, grievance) as declarations, run by one conversation."""
