"""The model: the file format (``spec``), the rules beyond field types (``rules``), the
assumptions the flow makes, the one builder of a model's arrays (``network``), its networkx view
(``graph``), the at-a-glance summary, and the searches on CSR arrays that the flow and the
structure share (``search``, ``components``).

Nothing here reads files or computes the flow; it uses nothing of the project but
:mod:`servicechain.errors`.
"""
