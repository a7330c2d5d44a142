"""Threshold as an OpenID Provider, built from Authlib's authorization-server components."""
