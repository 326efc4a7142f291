"""Reply classification: the offline `local` classifier (local.py) and the LLM path (service.py)."""
