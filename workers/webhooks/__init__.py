"""Webhooks: subscriptions, Standard Webhooks signing and durable delivery of outbox events."""
