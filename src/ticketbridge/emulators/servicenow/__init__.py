"""A local ServiceNow instance emulator (Table API, encoded queries, Batch API, OAuth, faults).

See README.md in this package for the behaviour it reproduces and where it departs.
"""
