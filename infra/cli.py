"""`weather-stack up|down|status [--json]|run`: the local stack, real servers as processes."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from infra import stack
from infra.process import StartError
from infra.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="weather-stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in [
        ("up", "start every process in the background; returns when all are ready"),
        ("run", "start every process, stay in the foreground; Ctrl-C stops everything"),
        ("down", "stop what `up` started"),
    ]:
        command = commands.add_parser(name, help=text)
        command.add_argument("services", nargs="*", help="only these (default: all)")
        if name == "down":
            command.add_argument("--clean", action="store_true", help="also wipe the state folder")
    status = commands.add_parser("status", help="endpoints, credentials and health")
    status.add_argument("--json", action="store_true", help="print the status document as JSON")
    return parser


def _print_status(document: dict[str, object]) -> None:
    services = document["services"]
    assert isinstance(services, dict)
    print(f"{'service':<10} {'health':<9} {'pid':>8}  log")
    for name, info in services.items():
        health = "healthy" if info["healthy"] else "down"
        pid = info["pid"] if info["pid"] is not None else "-"
        print(f"{name:<10} {health:<9} {pid:>8}  {info['log']}")
    print()
    endpoints = document["endpoints"]
    assert isinstance(endpoints, dict)
    for name, url in endpoints.items():
        print(f"{name:<10} {url}")
    print(f"{'bucket':<10} {document['bucket']}  region {document['region']}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # aiokafka logs every refused connection while Kafka starts; the probes report instead.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    settings = load_settings()
    names = getattr(args, "services", None) or None
    try:
        if args.command == "up":
            stack.up(settings, names)
            print(f"stack is up: web page and API at {settings.api_url}/")
        elif args.command == "run":
            return stack.run(settings, names)
        elif args.command == "down":
            stack.down(settings, names, clean=args.clean)
        elif args.json:
            print(json.dumps(stack.status(settings), indent=2))
        else:
            _print_status(stack.status(settings))
    except StartError as exc:
        print(f"weather-stack {args.command} failed:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
