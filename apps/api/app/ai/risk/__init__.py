"""Ban/quality-risk detection: message content (rules + a learned text score) and a number's
sending pattern; `monitor()` is the periodic job that auto-pauses at critical."""
