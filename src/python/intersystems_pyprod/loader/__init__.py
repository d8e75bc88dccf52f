"""From a script path to generated classes: import, model, generate, validate, write."""
