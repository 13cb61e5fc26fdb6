"""Real-time alerts: rules pick events from the outbox; channels deliver them."""
