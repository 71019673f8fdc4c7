"""The notifier service: signed webhook deliveries (Standard Webhooks) with durable retries."""
