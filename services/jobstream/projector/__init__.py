"""The projector: the single writer of job state, materializing jobs.events into MongoDB."""
