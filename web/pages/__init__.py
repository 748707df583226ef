"""One module per area of the console; each view reads, calls one action, renders."""
