"""The authoring API: the classes and helpers users subclass and call in their scripts."""
