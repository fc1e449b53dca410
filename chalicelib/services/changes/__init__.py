"""What happened: the changes log fed by the index stream, stability, and the exports log."""
