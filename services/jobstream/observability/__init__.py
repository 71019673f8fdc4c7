"""Operations as code: the Grafana dashboard builder (deploy/grafana/) and its helpers."""
