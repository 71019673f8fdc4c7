"""The HTTP gateway: the Retab-compatible Jobs API over the event-streaming core."""
