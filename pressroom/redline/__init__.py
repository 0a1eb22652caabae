"""Redline: what changed between two versions of a project's documents (issue 14).

diff.py marks the changes in the new version's cited AST (tokens.py: its words); views.py says
what each output shows of them; docx.py completes Word's tracked changes; summary.py writes the
box at the top; versions.py finds the two versions; outputs.py writes build/diff/."""
