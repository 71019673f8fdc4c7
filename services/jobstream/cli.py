"""The `jobstream` command: one entry point for every service and the operator tools."""

from __future__ import annotations

import argparse
import sys

from jobstream.devstack import cli as dev_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobstream", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dev_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
