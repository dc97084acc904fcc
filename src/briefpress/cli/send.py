"""``briefpress send``: its arguments, and what it prints (over :func:`briefpress.send.send`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from ..errors import UsageError
from .commands import print_error, say


def send_command(commands) -> Any:  # a _Parser: the one the subparsers make
    sender = commands.add_parser(
        "send",
        help="send the built mails by SMTP",
        description="Send the newsletter, digest and Send-to-Kindle mails built into DIR, newest "
        "first, each newsletter in a message of its own to each reader of --recipients and --to "
        "(or to those it was built for), dated as it goes. Each accepted message is logged "
        "beside its article's stamp at once: a send that fails resumes where it stopped, no "
        "reader gets a version twice, and a mail changed since it was sent waits for --resend. "
        "The password is read from $BRIEFPRESS_SMTP_PASSWORD or ~/.netrc, never from the "
        "command line; a login goes only over --starttls or --ssl.",
    )
    sender.add_argument("directory", metavar="DIR", help="an output folder of 'briefpress build'")
    _server_arguments(sender)
    readers = sender.add_argument_group("readers")
    readers.add_argument(
        "--recipients",
        metavar="FILE",
        type=Path,
        help="a CSV list of readers: address, optional name, optional unsubscribe URL; # comments",
    )
    readers.add_argument(
        "--to", metavar="ADDRESSES", help="readers, comma-separated (with --recipients: both)"
    )
    readers.add_argument(
        "--bcc", action="store_true", help="one message per mail, the readers in Bcc (not one each)"
    )
    readers.add_argument(
        "--proof",
        metavar="ADDRESS",
        help="send each newsletter to ADDRESS only, marked [Proof]; nothing is logged",
    )
    sender.add_argument(
        "--only",
        metavar="SLUG",
        action="append",
        default=[],
        help="send only this article's or digest's mails (repeatable)",
    )
    sender.add_argument(
        "--resend", action="store_true", help="send again what was sent before, or changed since"
    )
    sender.add_argument("--dry-run", action="store_true", help="list what would go to whom; send nothing")
    return sender


def _server_arguments(sender) -> None:
    """Where the server is, how to reach it, how fast, how patiently."""
    sender.add_argument("--smtp", metavar="HOST[:PORT]", required=True, help="the mail server")
    security = sender.add_mutually_exclusive_group()
    security.add_argument("--starttls", dest="security", action="store_const", const="starttls")
    security.add_argument("--ssl", dest="security", action="store_const", const="ssl", help="implicit TLS")
    sender.add_argument("--user", metavar="NAME", help="log in as NAME (needs --starttls or --ssl)")
    sender.add_argument(
        "--insecure-auth",
        action="store_true",
        help="let --user log in without TLS, to a test server on 127.0.0.1, ::1 or localhost only",
    )
    sender.add_argument("--per-minute", type=_positive, metavar="N", help="send at most N messages a minute")
    sender.add_argument(
        "--retries", type=int, default=3, metavar="N", help="tries again after a 4xx (default: 3)"
    )
    sender.add_argument(
        "--retry-wait",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="before the first retry; doubled after (default: 5)",
    )


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..send import Sending, Server, send

    directory = Path(args.directory)
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder (see 'briefpress send --help')")
    if args.proof is not None and (args.to or args.recipients or args.bcc or args.resend):
        raise UsageError(
            "--proof sends to its address alone: leave out --to, --recipients, --bcc and --resend"
        )
    server = Server(
        args.smtp,
        args.security or "none",
        args.user,
        args.insecure_auth,
        args.per_minute,
        max(0, args.retries),
        max(0.0, args.retry_wait),
    )
    how = Sending(
        server, args.to, args.recipients, args.bcc, args.proof, args.resend, args.dry_run, tuple(args.only)
    )
    result = send(directory, how)
    verb = "would send" if args.dry_run else "sent"
    for delivery in result.sent:
        proof = "a proof of " if delivery.proof else ""
        say(f"{verb} {proof}{delivery.mail.path} to {delivery.describe()}", file=stdout)
    for changed in result.changed:
        say(
            f"{changed.mail.path}: changed since sent on {_when(changed.when)} to "
            f"{len(changed.readers)} reader(s): --resend to send the new version",
            file=stdout,
        )
    for error in result.errors:
        print_error(error, stderr)
    counts = f"{result.messages()} {verb}, {len(result.skipped)} already sent before"
    if result.changed:
        counts += f", {sum(len(c.readers) for c in result.changed)} changed since sent"
    say(f"{counts}, {len(result.errors)} error(s)", file=stdout)
    return 0 if result.ok else 1


def _when(at: str) -> str:
    """``2026-12-01T20:00:00+00:00`` as ``2026-12-01 20:00 UTC``."""
    return at.replace("T", " ")[:16] + (" UTC" if at.endswith("+00:00") else "")
