"""Reading and writing files: models (YAML and JSON with positions, the fast JSON path),
spreadsheets, scenario files, the YAML writer and atomic writes.

Nothing here computes the flow: readers give a validated :class:`~servicechain.model.spec.Model`
(or its arrays) and plain data, writers take them.
"""
