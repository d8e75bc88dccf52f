"""The neutral description of a script: what IRIS classes it needs and what goes in them."""
