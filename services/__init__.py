"""The use cases: one keyword-only async function per thing a person or a sweep can start.

Each writes its rows, audit entries and outbox rows in the caller's transaction and never
commits; chat, command line and scheduler call the same function.
"""
