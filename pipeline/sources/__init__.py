"""What sits in the sources directory: notice files, their sidecars and the unit registry."""
