"""Reply classification: intent, sentiment, urgency and the auto-response decision."""
