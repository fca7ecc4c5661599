"""The lowest layer: small helpers every app may use (docs: DESIGN.md "Layering").

Imports Django, DRF and the standard library, never a project app, so `accounts`, `journal`,
`medications`, `alerts`, `clinic` and `portal` can all depend on it (checked by import-linter).
"""
