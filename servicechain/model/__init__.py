"""The model: the file format (``spec``), the rules beyond field types (``rules``), the
assumptions the flow makes, the one builder of a model's arrays (``network``), its networkx view
(``graph``) and the at-a-glance summary.

Nothing here reads files or computes the flow; it uses nothing of the project but
:mod:`servicechain.errors`.
"""
