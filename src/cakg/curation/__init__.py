"""Growing the graph: adding source documents and encoding their facts, validated before they are written.

``add_source`` registers a text or PDF, ``facts`` creates, edits and deletes
fact nodes (the command line and the workbench both go through it), and
``files`` makes every write atomic and serialised. Nothing here writes into
``data/`` unless the whole project, with the change, passes the same SHACL
validation as ``cakg build``.
"""
