"""Finding sentences: every number a chapter states in words, computed from its results."""
