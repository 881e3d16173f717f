"""plandata: a policy notice turned into validated open datasets."""
