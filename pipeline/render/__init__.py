"""Rendering untrusted notice text into Markdown and HTML safely."""
