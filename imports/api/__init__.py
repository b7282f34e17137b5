"""The data-exchange REST API (issue 10): record types by natural key, API clients, tokens, request log.

See README.md in this folder for the design and how to register a client.
"""
