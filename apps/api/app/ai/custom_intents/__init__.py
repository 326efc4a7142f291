"""Custom intents per workspace: labelled examples, a trained IntentModel stored in the
database, and the routes that manage them (`/api/v1/ai/intents`)."""
