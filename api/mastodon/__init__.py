"""The Mastodon-compatible client API (/api/v1, /api/v2, /oauth). See docs/api.md."""
