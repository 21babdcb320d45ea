"""Signing in to JobMojito (Supabase OAuth 2.1) and staying signed in.

    login        `jobmojito-mcp login` / `logout`: the browser flow and what it prints
    oauth        the OAuth client: discovery, registration, code exchange, refresh, revocation
    credentials  which token a call uses, kept fresh: the one credential provider
    store        the credentials file: per-origin accounts, locking, atomic writes

Import from the modules; this package loads none of them by itself (the OAuth client and PyJWT
load on the first renewal, not at every start).
"""
