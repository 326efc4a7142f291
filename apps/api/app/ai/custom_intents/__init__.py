"""Per-workspace custom intents. # PLACEHOLDER (owner: h9b)"""
