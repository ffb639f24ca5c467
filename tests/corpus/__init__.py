"""The capture corpus: real public notebooks with hand-checked expectations."""
