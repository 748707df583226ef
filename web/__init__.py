"""The consoles: pages in a browser over the same actions as the CLI."""
