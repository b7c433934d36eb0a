"""In-memory Jira Cloud emulator: REST v2/v3, enhanced JQL search, OAuth 2.0 (3LO), faults.

Start it in tests with `EmulatorServer` (see `server.py`) or from the CLI with
`ticketbridge emulator jira`. Documentation: docs/emulator.md.
"""
