"""The partner API under /api/v1/: a Django app of its own (label ``api``) for tokens and webhooks."""
