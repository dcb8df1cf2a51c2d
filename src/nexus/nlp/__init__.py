"""Model loading and the parse."""
