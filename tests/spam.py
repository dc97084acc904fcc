"""SpamAssassin as the tests run it: a built ``.eml`` made to look delivered (:func:`as_sent`)
and scored by the local rules alone (:func:`score`), with nothing read from the machine's
user state (no ``~/.spamassassin``, no Bayes database, no site ``local.cf``)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from email.utils import format_datetime, parseaddr
from pathlib import Path

SPAMASSASSIN = shutil.which("spamassassin")
#: where the Debian package keeps its plugin loaders (init.pre, v3xx.pre, v4xx.pre)
SITE_CONFIG = Path("/etc/spamassassin")
#: the relay (a name and a public address) that hands the message to the reader's server in :func:`as_sent`
RELAY = ("smtp.example.org", "93.184.215.14")  # not a documentation range: RCVD_ILLEGAL_IP
#: Bayes learns from what it sees: off, so each run stands alone and scores the message as
#: the rules alone would (the reputation plugins, AWL and TxRep, are not loaded by Debian's
#: .pre files)
PREFS = """\
use_bayes 0
bayes_auto_learn 0
"""


def as_sent(eml: bytes, to: str) -> bytes:
    """``eml`` as the reader's server would hold it after delivery to ``to``: stamped by
    ``briefpress send`` as it stamps each message (dated now, a Message-ID of its own under
    the sender's domain, the reader in ``To``) and given a ``Received`` header by a relay."""
    from briefpress.send.readers import from_to
    from briefpress.send.stamp import stamp

    data, _ = stamp(eml, _now(), from_to(to)[0])
    return relayed(data, to)


def relayed(eml: bytes, to: str) -> bytes:
    """``eml`` with the ``Received`` header the reader's server adds, from a relay with a
    name and a public address, now: the bytes otherwise as they are."""
    host, address = RELAY
    received = (
        f"from {host} ({host} [{address}]) by mx.example.net (Postfix) with ESMTPS id 4Q1b2C3d4E "
        f"for <{parseaddr(to)[1]}>; {format_datetime(_now())}"
    )
    return b"Received: " + received.encode("ascii") + b"\r\n" + eml


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Verdict:
    #: SpamAssassin's score
    total: float
    #: the rules hit, with their points
    rules: dict[str, float]
    #: how much of the HTML part's words the text part lacks, in per cent (MPART_ALT_DIFF
    #: scores over 99); None without a multipart/alternative
    alternative_difference: float | None

    def __str__(self) -> str:
        hit = ", ".join(f"{rule} {points:+.1f}" for rule, points in sorted(self.rules.items()))
        differ = self.alternative_difference
        return f"{self.total} (rules hit: {hit or 'none'}; the text part lacks {differ}% of the HTML's words)"


def score(eml: bytes) -> Verdict:
    """SpamAssassin's verdict on ``eml`` by its local tests (``-t -L``: no DNS, no network)."""
    if SPAMASSASSIN is None:
        raise RuntimeError("spamassassin is not installed (scripts/setup-system.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="briefpress-sa-") as home:
        site = Path(home, "site")
        site.mkdir()
        for loader in SITE_CONFIG.glob("*.pre"):  # the plugins the package loads, no local.cf
            shutil.copy(loader, site)
        prefs = Path(home, "user_prefs")
        prefs.write_text(PREFS)
        done = subprocess.run(
            # -D eval: the debug lines of the eval rules, MPART_ALT_DIFF's measure among them
            [SPAMASSASSIN, "-t", "-L", "-D", "eval", f"--siteconfigpath={site}", "-p", str(prefs)],
            input=eml,
            capture_output=True,
            env={"HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            timeout=300,
        )
    log = done.stderr.decode("utf-8", "replace")
    problems = [line for line in log.splitlines() if "warn:" in line]
    if done.returncode != 0 or problems:
        raise RuntimeError(f"spamassassin exited {done.returncode}:\n" + "\n".join(problems[-20:]))
    total, rules = report(done.stdout.decode("utf-8", "replace"))
    difference = re.findall(r"madiff: .*max-difference: ([\d.]+)%", log)
    return Verdict(total, rules, float(difference[-1]) if difference else None)


def report(output: str) -> tuple[float, dict[str, float]]:
    """The score and the rules of ``spamassassin -t``'s report (its "Content analysis
    details" table: ``pts rule name description``, continued on indented lines)."""
    total = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", output, re.M)
    if total is None:
        raise AssertionError(f"no X-Spam-Status in SpamAssassin's output:\n{output[:2000]}")
    table = output.split("Content analysis details:", 1)[-1]
    rules = {m[2]: float(m[1]) for m in re.finditer(r"^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s", table, re.M)}
    return float(total[1]), rules
