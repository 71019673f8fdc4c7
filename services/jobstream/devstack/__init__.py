"""Local development stack: real Kafka, FerretDB and moto S3 plus the services, without Docker.

Used by `make up` / `make down` (through `jobstream dev ...`) and by the test suite, which starts
its own isolated copy on free ports.
"""
