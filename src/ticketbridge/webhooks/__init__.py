"""Outgoing webhooks: events, Standard Webhooks signing, delivery through ``netguard``."""
