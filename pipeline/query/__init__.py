"""Reading a release as an analyst: the `plandata sql` shell."""
