"""Local emulators of the vendors TicketBridge talks to (tests and sandbox)."""
