"""Routers of the native API (/api/nb/v1); registered in api/native.py."""
