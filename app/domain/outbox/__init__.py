"""Transactional outbox, Standard Webhooks delivery and the change feed (issue 18)."""

from app.domain.outbox.events import EVENT_TYPES, emit

__all__ = ["EVENT_TYPES", "emit"]
