"""The pure core of jobstream: state machine, validation, ids, endpoint registry. No I/O imports."""
