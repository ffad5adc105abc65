"""The Gradio app (a thin layer: it never computes numbers)."""
