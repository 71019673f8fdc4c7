"""The janitor: expiry, artifact purge and the outbox relay."""
