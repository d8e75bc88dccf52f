"""Class generation: model -> UDL class text, and the grammar gate that checks it."""
