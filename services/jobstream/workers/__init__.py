"""Workers: Kafka consumers that run one endpoint's jobs each."""
