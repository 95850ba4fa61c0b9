"""The site of the scripted training visitors (`chat_backend.domain.training`): created on demand,
never listed as a site, its chats flagged `training`."""

TRAINING_SITE_ID = "training"
