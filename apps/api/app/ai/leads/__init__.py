"""Lead scoring: engagement, profile, behaviour and timing signals with time decay."""
