"""The consultant's deliverable: a self-contained HTML report or a Markdown report with images."""
