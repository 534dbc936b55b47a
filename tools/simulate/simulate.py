#!/usr/bin/env python3
"""Writes labelled phishing-simulation logs for measuring clicksift.

No public data set labels clicks as the recipient's own or a machine's, so
this program builds campaign logs from the published facts collected in the
project's domain notes (cited below as "domain: <section>"). Every event
carries a `truth` field, the real source, and a `case` field naming the
situation that produced it; clicksift ignores both.

Usage, from the repository root:

    python3 tools/simulate/simulate.py generate --seed 1 --out fixtures/eval/dev.jsonl.gz
    python3 tools/simulate/simulate.py generate --seed 2 --out fixtures/eval/heldout.jsonl.gz
    python3 tools/simulate/simulate.py agents \\
        --from /path/to/user-agents/package/dist/user-agents.json \\
        --out fixtures/eval/user-agents.csv

The output depends only on the seed and the files read (data/networks.csv,
data/browsers.csv, fixtures/eval/user-agents.csv); it is byte-identical
between runs. Python 3 standard library only.

Proportions, and where each comes from
======================================

Facts from domain.md:

- Gateway timing after send (domain: Timing, scanner bursts in 836
  marketing mails): 0.5% within 10 s, 66% at 20-60 s, 28% at 1-5 min,
  2.6% later (5 min to 3 h); the remaining 2.9% fall at 10-20 s. Within
  20-60 s the delay is drawn around 43 s, the published median.
- Safe Links can scan before delivery (domain: The problem, Safe Links):
  in campaigns that record delivery, 15% of Safe Links detonations hold
  the message, which is then delivered 2-40 s after the scan.
- Scanners follow every link, unsubscribe and honeypot included, about a
  second apart (domain: Behaviour; Timing, Mautic 9798); 10% of
  detonations also request one link with `%27` appended and 5% scramble
  the UTM values (domain: Behaviour); 35% rotate over 2-3 addresses within
  the detonation (domain: Behaviour).
- Barracuda follows only the first link in half of its detonations
  (domain: Behaviour).
- Gateway agents (domain: User agents): outdated Chrome (57, 79, 80, 96,
  101, 125 and 8-14 majors behind the click date), IE 8 on Windows 7,
  Chrome or Firefox on Windows XP or Vista, and current browsers. Mix per
  detonation: 30% ancient Chrome, 15% Chrome 8-14 behind, 12% IE 8 on
  Windows 7, 10% XP or Vista, 33% current Chrome or Edge on Windows 10.
- Gateway addresses (domain: Networks), from data/networks.csv rows of the
  right kind: Microsoft 55% published EOP ranges (certain), 20% the
  40.94.x detonation hosts (probable), 15% other Microsoft cloud ranges,
  10% no catalogue range. Barracuda 70% its published ranges (with the
  .ess.barracudanetworks.com reverse name where names are resolved), 20%
  its ASN, 10% no range. Proofpoint, Mimecast, Cisco IronPort and Trend
  Micro 85% their ASNs (security_vendor rows), 15% no range.
- Gateways also load the tracking pixel in 30% of detonations (assumption:
  they render the message).
- Link previews name themselves (domain: User agents): Slack, Teams/Skype,
  Discord, Telegram, WhatsApp. WhatsApp previews come from the sharer's
  own phone, so from a consumer address.
- Sandboxes (domain: User agents): HeadlessChrome, Puppeteer,
  TwinWaveScanner, VirusTotal, and 35% disguised as a current Chrome; all
  from cloud and hosting ranges (domain: Networks).
- Office link handling (domain: User agents): before 30% of the
  recipient's clicks from Windows desktops come the Office requests from
  the same address: HEAD with Existence Discovery + OPTIONS with Protocol
  Discovery + an ms-office GET (40%), OPTIONS + ms-office GET (30%), or the
  ms-office GET alone (30%); the person's own GET follows within 0.3-1.5 s
  and is truth `recipient`.
- Scripts (domain: User agents): python-requests, curl, Go-http-client,
  Java, okhttp, Apache-HttpClient, an empty agent.
- Investigators (domain: Behaviour): 12% of recipients report the
  message; after a report IT staff open and click it with a current
  browser from another corporate address 45% of the time (10 min to 6 h
  later, truth `investigator`), a SOAR sandbox detonates it 25% of the
  time (2 min to 3 h later, truth `sandbox`).
- Recipients (domain: Timing, Humans): 6% of the recipient's clicks are
  fast readers at 5-20 s after delivery; 10% are followed by a double click
  within 0.2-2 s; the rest are drawn log-normally around 40 min after
  delivery (1 min to 2 days).
- Forwarded copies are detonated and counted as the recipient's click
  (domain: The problem, Microsoft FAQ): 3% of recipients in campaigns with a
  gateway forward the message 5 min to 2 days after delivery, and the
  gateway detonates the copy with the timing above, counted from the
  forward.
- Browser isolation (domain: Networks, Proofpoint and Mimecast): every
  other Proofpoint or Mimecast organisation browse through the vendor's
  isolation service; there 30% of the recipients' desktop clicks come from
  the vendor's addresses with the person's own browser.
- Recipients' networks (domain: Networks): office NAT shared by many
  recipients over hours, home broadband and cellular (no catalogue range),
  Zscaler (web_proxy rows) in campaigns whose organisation uses it, Azure
  virtual desktops (Microsoft cloud rows) in campaigns whose organisation
  uses them. Opens via GoogleImageProxy and YahooMailProxy and Outlook on
  the web through Exchange Online (mail_service rows) are the recipient's.

Assumptions (no published figure; chosen to be plausible and documented):

- Twenty campaigns: ten record delivery and sending, six only sending,
  four neither; gateways Microsoft 6, Mimecast 4, Proofpoint, Barracuda,
  Cisco IronPort and Trend Micro 2 each, none 2; eight have a honeypot
  link. Per campaign: 150-400 recipients, 8-30% click, 30-55% open,
  25-70% of messages detonated by the gateway (campaigns without a gateway have
  none), 2-4% pasted into a chat (link preview), 2-4% sandboxed, 1-2% hit
  by scripts, 0.5-1% by crawlers.
- Recipients' browsers: Windows desktop 55%, Mac 15%, iPhone 17%, Android
  11%, other 2%; within each, agents weighted as the user-agents package
  weights them. The browser major is the one current on the click date
  (from data/browsers.csv) 60% of the time, one behind 28%, two behind 9%,
  three to five behind 3%.
- Recipients' networks: office NAT 45%, home broadband 22%, Zscaler 15%
  (when the organisation uses it, else office NAT), Azure virtual desktop
  8% (when used, else office NAT), cellular 10%; phones use cellular 60%
  of the time and home broadband otherwise.
- 3% of clicking recipients also click the unsubscribe link.
- Opens: the person's browser 35%, the desktop mail client (Outlook on
  desktops, Apple Mail on phones) 35%, Outlook on the web 15%, Gmail 10%,
  Yahoo 5%; an open comes at 60% of a reading delay drawn as for a click
  (at least 2 s after delivery).
- Browsers stuck on an old major because the system is out of support
  (Google's end-of-support notices: Chrome 109 was the last for Windows 7
  and 8.1, Chrome 138 the last for macOS 11 and Android 8-9): 1% of
  Windows, 3% of Mac and 5% of Android recipients.
"""

import argparse
import bisect
import csv
import datetime as dt
import gzip
import io
import ipaddress
import json
import math
import os
import random
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
NETWORKS = os.path.join(ROOT, "data", "networks.csv")
BROWSERS = os.path.join(ROOT, "data", "browsers.csv")
AGENTS = os.path.join(ROOT, "fixtures", "eval", "user-agents.csv")

# Campaign dates: 2026, inside the browser calendar's range.
FIRST_DAY = dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc)
LAST_DAY = dt.datetime(2026, 7, 15, tzinfo=dt.timezone.utc)
# Twenty campaigns: each draws one gateway and one kind of timestamps, and
# many campaigns keep one unlucky pairing from moving the figures much.
CAMPAIGNS = 20

# Gateway timing after send: (share, low seconds, high seconds).
GATEWAY_TIMING = [
    (0.005, 1.0, 10.0),
    (0.029, 10.0, 20.0),
    (0.660, 20.0, 60.0),
    (0.280, 60.0, 300.0),
    (0.026, 300.0, 10800.0),
]
SAFELINKS_HELD = 0.15
MUTATED_SHARE = 0.10
SCRAMBLED_UTM_SHARE = 0.05
ROTATE_SHARE = 0.35
BARRACUDA_FIRST_ONLY = 0.5
GATEWAY_OPENS_PIXEL = 0.30

REPORT_RATE = 0.12
INVESTIGATOR_AFTER_REPORT = 0.45
SOAR_AFTER_REPORT = 0.25

FAST_READER = 0.06
DOUBLE_CLICK = 0.10
OFFICE_PREFETCH = 0.30
UNSUBSCRIBE_TOO = 0.03
FORWARD_RATE = 0.03
ISOLATION_SHARE = 0.30

# Agents of systems whose last supported Chrome is far behind, per platform:
# (share of that platform's recipients, agent).
STUCK = {
    "windows": (0.01, "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, "
                      "like Gecko) Chrome/109.0.0.0 Safari/537.36"),
    "mac": (0.03, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
                  "like Gecko) Chrome/138.0.0.0 Safari/537.36"),
    "android": (0.05, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
                      "Gecko) Chrome/138.0.0.0 Mobile Safari/537.36"),
}

PLATFORMS = [("windows", 0.55), ("mac", 0.15), ("iphone", 0.17), ("android", 0.11), ("other", 0.02)]
VERSION_LAG = [(0, 0.60), (1, 0.28), (2, 0.09), (3, 0.01), (4, 0.01), (5, 0.01)]
NETWORK_MIX = [("office", 0.45), ("home", 0.22), ("zscaler", 0.15), ("vdi", 0.08), ("cellular", 0.10)]

GATEWAYS = ["microsoft", "microsoft", "microsoft", "proofpoint", "mimecast", "barracuda",
            "cisco", "trend", "mimecast", "none"] * 2
ANCHORS = (["delivery"] * 5 + ["send"] * 3 + ["none"] * 2) * 2

# Operators in data/networks.csv behind each gateway's security_vendor rows.
VENDOR_OPERATORS = {
    "proofpoint": "Proofpoint",
    "mimecast": "Mimecast",
    "cisco": "Cisco IronPort",
    "trend": "Trend Micro",
    "barracuda": "Barracuda (AS15324)",
}

# Address space where consumer ISPs and company offices are drawn from; an
# address is used only if no catalogue range holds it.
ISP_FIRST_OCTETS = [24, 50, 66, 67, 68, 71, 73, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85,
                    86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 98, 99, 109, 151, 176, 178, 188,
                    212, 213, 217]


def pick(rng, weighted):
    """One item of a list of (item, weight) pairs."""
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for item, w in weighted:
        x -= w
        if x < 0:
            return item
    return weighted[-1][0]


def iso(t):
    """RFC 3339 with milliseconds, in UTC."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def secs(s):
    return dt.timedelta(seconds=s)


# ---------------------------------------------------------------------------
# Catalogues


class Networks:
    """The rows of data/networks.csv, for drawing addresses by kind."""

    def __init__(self, path):
        self.rows = []
        with open(path, newline="") as f:
            lines = [line for line in f if not line.startswith("#")]
        for row in csv.DictReader(lines):
            row["net"] = ipaddress.ip_network(row["cidr"])
            self.rows.append(row)
        v4 = sorted((int(r["net"].network_address), int(r["net"].broadcast_address))
                    for r in self.rows if r["net"].version == 4)
        self.starts = [s for s, _ in v4]
        self.ends = []
        high = -1
        for _, e in v4:
            high = max(high, e)
            self.ends.append(high)

    def select(self, test):
        return [r["net"] for r in self.rows if test(r)]

    def listed(self, address):
        """True when some catalogue range holds the IPv4 address."""
        n = int(address)
        i = bisect.bisect_right(self.starts, n) - 1
        return i >= 0 and self.ends[i] >= n


def address_in(rng, nets):
    """A host address inside one of the ranges, larger ranges likelier."""
    weighted = [(n, math.log2(n.num_addresses) + 1) for n in nets]
    net = pick(rng, weighted)
    if net.num_addresses <= 2:
        return net.network_address + rng.randrange(net.num_addresses)
    return net.network_address + rng.randrange(1, min(net.num_addresses - 1, 1 << 32))


def unlisted_address(rng, networks):
    """A public IPv4 address in no catalogue range."""
    while True:
        first = rng.choice(ISP_FIRST_OCTETS)
        addr = ipaddress.IPv4Address((first << 24) | rng.randrange(1, 1 << 24))
        if not networks.listed(addr) and addr.is_global:
            return addr


class Calendar:
    """data/browsers.csv: the major current on a day, per family."""

    def __init__(self, path):
        self.releases = {}
        with open(path, newline="") as f:
            lines = [line for line in f if not line.startswith("#")]
        for row in csv.DictReader(lines):
            day = dt.date.fromisoformat(row["released"])
            self.releases.setdefault(row["family"], []).append((day, int(row["major"])))
        for rel in self.releases.values():
            rel.sort()

    def current(self, family, day):
        majors = [m for d, m in self.releases[family] if d <= day]
        return max(majors)

    def behind(self, family, day, lag):
        """The major `lag` releases behind the current one on `day`."""
        majors = sorted({m for d, m in self.releases[family] if d <= day})
        return majors[max(0, len(majors) - 1 - lag)]


# ---------------------------------------------------------------------------
# Agents


def load_agents(path):
    """fixtures/eval/user-agents.csv grouped by platform."""
    groups = {}
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines):
        groups.setdefault(row["platform"], []).append((row["user_agent"], float(row["weight"])))
    return groups


def platform_of(ua):
    if "iPhone" in ua or "iPad" in ua:
        return "iphone"
    if "Android" in ua:
        return "android"
    if "Windows NT 10.0" in ua:
        return "windows"
    if "Macintosh" in ua:
        return "mac"
    return "other"


def modern(ua):
    """Kept for recipients: a current-generation browser, not an emulated
    device (the package holds old Chrome majors on a 2014 phone) nor a
    platform the browser no longer supports."""
    if "Windows NT 6." in ua or "Windows NT 5." in ua:
        return False
    for token, least in (("Chrome/", 130), ("CriOS/", 130), ("Firefox/", 128), ("Edg/", 130)):
        m = re.search(re.escape(token) + r"(\d+)", ua)
        if m and int(m.group(1)) < least:
            return False
    m = re.search(r"Version/(\d+)", ua)
    if m and int(m.group(1)) < 17:
        return False
    return ua.startswith("Mozilla/5.0")


AGENT_QUOTA = {"windows": 40, "mac": 60, "iphone": 100, "android": 30, "other": 20}


def extract_agents(source, out):
    """Copies the heaviest modern agents of each platform from the
    user-agents package, each weighted by the sum of its records' weights
    (the package repeats an agent once per distinct browser fingerprint)."""
    with open(source) as f:
        data = json.load(f)
    weights = {}
    for r in data:
        if modern(r["userAgent"]):
            weights[r["userAgent"]] = weights.get(r["userAgent"], 0.0) + r["weight"]
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen = []
    count = {p: 0 for p in AGENT_QUOTA}
    for ua, weight in ranked:
        p = platform_of(ua)
        if count[p] < AGENT_QUOTA[p]:
            count[p] += 1
            chosen.append((p, f"{weight:.9f}", ua))
    chosen.sort()
    with open(out, "w", newline="") as f:
        f.write(AGENTS_HEADER)
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["platform", "weight", "user_agent"])
        w.writerows(chosen)


AGENTS_HEADER = """\
# Real browser user agents for the recipients of simulated campaigns.
# Source: npm package user-agents 2.1.198 (dist/user-agents.json), Copyright
#   2018-present Intoli, LLC, BSD-2-Clause: see user-agents-LICENSE.txt here.
# Selection: the heaviest distinct agents of each platform (windows 40, mac
#   60, iphone 100, android 30, other 20) that are a current-generation
#   browser (Chrome, Edge >= 130, Firefox >= 128, Safari >= 17, not Windows
#   7/XP); weight is the sum of the package's weights for that agent. The simulator rewrites browser majors to
#   the one current on each click's date.
# Regenerate: python3 tools/simulate/simulate.py agents --from
#   <user-agents>/package/dist/user-agents.json --out fixtures/eval/user-agents.csv
"""


class Browsers:
    """Recipients' agents with their majors set for the click's date."""

    def __init__(self, groups, calendar):
        self.groups = groups
        self.calendar = calendar

    def agent(self, rng, platform):
        return pick(rng, self.groups[platform])

    def dated(self, rng, ua, day, lag=None):
        if lag is None:
            lag = pick(rng, VERSION_LAG)
        cal = self.calendar

        def major(family):
            return str(cal.behind(family, day, lag))

        ua = re.sub(r"Edg(A|iOS)?/\d+", lambda m: f"Edg{m.group(1) or ''}/{major('Edge')}", ua)
        ua = re.sub(r"OPR/\d+", lambda m: f"OPR/{major('Opera')}", ua)
        ua = re.sub(r"(Chrome|CriOS)/\d+", lambda m: f"{m.group(1)}/{major('Chrome')}", ua)
        ua = re.sub(r"(Firefox|FxiOS)/\d+", lambda m: f"{m.group(1)}/{major('Firefox')}", ua)
        ua = re.sub(r"rv:\d+", lambda m: f"rv:{major('Firefox')}", ua)
        ua = re.sub(r"SamsungBrowser/\d+",
                    lambda m: f"SamsungBrowser/{major('Samsung Internet')}", ua)
        safari = cal.current("Safari", day)
        ua = re.sub(r"Version/(\d+)(\.[\d.]+)?",
                    lambda m: m.group(0) if int(m.group(1)) <= safari else f"Version/{safari}.5",
                    ua)
        ua = re.sub(r"OS (\d+)_\d+(_\d+)?",
                    lambda m: m.group(0) if int(m.group(1)) <= safari else f"OS {safari}_5",
                    ua)
        return ua


def windows_chrome(major, build="0.0.0"):
    return ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.{build} Safari/537.36")


# Chrome versions gateways were seen presenting (domain: User agents).
ANCIENT_CHROME = [(57, "0.2987.133"), (79, "0.3945.130"), (80, "0.3987.149"),
                  (96, "0.4664.110"), (101, "0.4951.67"), (125, "0.6422.142")]
IE8_WIN7 = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)"
OLD_WINDOWS = [
    "Mozilla/5.0 (Windows NT 5.1) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/49.0.2623.112 Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.0; rv:52.0) Gecko/20100101 Firefox/52.0",
    "Mozilla/5.0 (Windows NT 5.1; rv:52.0) Gecko/20100101 Firefox/52.0",
    "Mozilla/5.0 (Windows NT 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/49.0.2623.112 Safari/537.36",
]


def gateway_agent(rng, calendar, day):
    kind = pick(rng, [("ancient", 0.30), ("behind", 0.15), ("ie8", 0.12), ("oldwin", 0.10),
                      ("current", 0.33)])
    if kind == "ancient":
        return windows_chrome(*rng.choice(ANCIENT_CHROME)), "gateway-ancient-chrome"
    if kind == "behind":
        lag = rng.randint(8, 14)
        return windows_chrome(calendar.behind("Chrome", day, lag)), "gateway-chrome-behind"
    if kind == "ie8":
        return IE8_WIN7, "gateway-ie8"
    if kind == "oldwin":
        return rng.choice(OLD_WINDOWS), "gateway-old-windows"
    if rng.random() < 0.5:
        edge = calendar.current("Edge", day)
        chrome = calendar.current("Chrome", day)
        return windows_chrome(chrome) + f" Edg/{edge}.0.0.0", "gateway-current-browser"
    return windows_chrome(calendar.current("Chrome", day)), "gateway-current-browser"


LINK_PREVIEWS = [
    ("slack", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", 0.30),
    ("teams", "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/41.0.2272.104 Safari/537.36 SkypeUriPreview Preview/0.5 "
              "skype-url-preview@microsoft.com", 0.30),
    ("discord", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", 0.10),
    ("telegram", "TelegramBot (like TwitterBot)", 0.10),
    ("whatsapp", "WhatsApp/2.24.8.78 A", 0.20),
]

SCRIPTS = [
    "python-requests/2.32.3", "curl/8.7.1", "Go-http-client/1.1", "Go-http-client/2.0", "",
    "Java/17.0.11", "okhttp/4.12.0", "Apache-HttpClient/4.5.14 (Java/17.0.9)",
]

CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
]

OFFICE_HEAD = "Microsoft Office Existence Discovery"
OFFICE_OPTIONS = "Microsoft Office Protocol Discovery"
OFFICE_GET = "Mozilla/4.0 (compatible; ms-office; MSOffice 16)"
OUTLOOK_DESKTOP = ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)")
GOOGLE_IMAGE_PROXY = ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
                      "(via ggpht.com GoogleImageProxy)")
YAHOO_PROXY = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"
APPLE_MAIL = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Mobile/15E148")

LANGUAGES = ["en-US,en;q=0.9", "en-GB,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8",
             "fr-FR,fr;q=0.9,en;q=0.8", "nl-NL,nl;q=0.9,en;q=0.8"]


# ---------------------------------------------------------------------------
# Campaigns


class Pools:
    """Address pools drawn from the network catalogue."""

    def __init__(self, networks):
        self.networks = networks
        ops = lambda name: networks.select(lambda r: r["operator"].startswith(name))
        self.eop = networks.select(lambda r: r["grade"] == "certain"
                                   and r["operator"].startswith("Microsoft"))
        self.detonation = networks.select(lambda r: r["grade"] == "probable"
                                          and r["kind"] == "mail_gateway")
        self.ms_cloud = networks.select(lambda r: r["kind"] == "cloud"
                                        and r["operator"].startswith("Microsoft")
                                        and r["net"].version == 4)
        self.barracuda = networks.select(lambda r: r["operator"]
                                         == "Barracuda Email Gateway Defense")
        self.vendor = {k: [n for n in ops(v) if n.version == 4]
                       for k, v in VENDOR_OPERATORS.items()}
        self.zscaler = networks.select(lambda r: r["operator"].startswith("Zscaler")
                                       and r["net"].version == 4)
        self.exchange = networks.select(lambda r: r["kind"] == "mail_service")
        cloud = lambda name: networks.select(lambda r: r["operator"].startswith(name)
                                             and r["net"].version == 4)
        self.aws = cloud("Amazon AWS")
        self.google = cloud("Google")
        self.sandbox = (self.aws + cloud("Google") + cloud("DigitalOcean") + cloud("OVH")
                        + cloud("Hetzner") + cloud("Linode") + cloud("Oracle"))

    def unlisted(self, rng):
        return unlisted_address(rng, self.networks)


def arrival(ctx):
    """When the message reached the mailbox, after any hold for scanning."""
    return ctx.get("held_until", ctx["delivered"])


def aws_name(ip):
    return "ec2-" + str(ip).replace(".", "-") + ".compute-1.amazonaws.com"


class Campaign:
    def __init__(self, rng, index, seed, gateway, anchor, honeypot, isolation):
        self.rng = rng
        self.name = f"s{seed}-c{index:02d}"
        span = (LAST_DAY - FIRST_DAY).total_seconds()
        start = FIRST_DAY + secs(rng.random() * span)
        self.start = start.replace(hour=rng.randint(7, 10), minute=rng.randint(0, 59),
                                   second=0, microsecond=0)
        self.gateway = gateway
        self.anchor = anchor
        self.honeypot = honeypot
        self.recipients = rng.randint(150, 400)
        self.click_rate = rng.uniform(0.08, 0.30)
        self.open_rate = rng.uniform(0.30, 0.55)
        self.detonate_rate = 0.0 if gateway == "none" else rng.uniform(0.25, 0.70)
        self.preview_rate = rng.uniform(0.02, 0.04)
        self.sandbox_rate = rng.uniform(0.02, 0.04)
        self.script_rate = rng.uniform(0.01, 0.02)
        self.crawler_rate = rng.uniform(0.005, 0.01)
        self.zscaler = rng.random() < 0.5
        self.vdi = rng.random() < 0.5
        self.resolves_names = rng.random() < 0.5
        self.isolation = isolation
        links = ["offer"] + (["policy"] if rng.random() < 0.4 else []) + ["unsubscribe"]
        if honeypot:
            links.insert(1, "hidden")
        self.links = links
        self.domain = rng.choice(["org-a.example", "corp-b.example", "firm-c.example",
                                  "group-d.example"])


class Generator:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.networks = Networks(NETWORKS)
        self.calendar = Calendar(BROWSERS)
        self.browsers = Browsers(load_agents(AGENTS), self.calendar)
        self.pools = Pools(self.networks)
        self.events = []

    def run(self):
        rng = self.rng
        gateways = GATEWAYS[:]
        anchors = ANCHORS[:]
        rng.shuffle(gateways)
        rng.shuffle(anchors)
        honeypots = set(rng.sample(range(CAMPAIGNS), 8))
        # Every other Proofpoint or Mimecast organisation, starting with the
        # first, browses through the vendor's isolation service.
        isolating = 0
        for i in range(CAMPAIGNS):
            vendor = gateways[i] in ("proofpoint", "mimecast")
            isolation = vendor and isolating % 2 == 0
            isolating += vendor
            c = Campaign(rng, i + 1, self.seed, gateways[i], anchors[i], i in honeypots,
                         isolation)
            self.campaign(c)
        self.events.sort(key=lambda e: (e["at"], e["campaign"], e["recipient"], e["seq"]))
        for n, e in enumerate(self.events, 1):
            e["id"] = f"s{self.seed}-{n:05d}"
        return self.events

    # -- one campaign ------------------------------------------------------

    def campaign(self, c):
        rng = self.rng
        c.office_nat = [self.pools.unlisted(rng) for _ in range(rng.randint(1, 3))]
        # IT staff work from addresses of their own, not the office NAT.
        c.it_addresses = [self.pools.unlisted(rng) for _ in range(2)]
        c.zscaler_ips = [address_in(rng, self.pools.zscaler) for _ in range(rng.randint(2, 4))]
        for r in range(c.recipients):
            self.recipient(c, f"user{r:04d}@{c.domain}", r)

    def recipient(self, c, who, index):
        rng = self.rng
        # Sending is spread over the first 40 minutes, in order.
        sent = c.start + secs(index * 2400.0 / c.recipients + rng.random() * 3)
        delivered = sent + secs(rng.uniform(1.5, 20.0))
        ctx = {"c": c, "who": who, "sent": sent, "delivered": delivered,
               "token": "%08x" % rng.getrandbits(32), "events": []}
        if rng.random() < c.detonate_rate:
            self.detonation(ctx, sent)
        person = self.person(c)
        ctx["person"] = person
        if rng.random() < c.open_rate:
            self.open(ctx)
        clicked = rng.random() < c.click_rate
        if clicked:
            self.human_click(ctx)
        if rng.random() < c.preview_rate:
            self.preview(ctx)
        if rng.random() < c.sandbox_rate:
            self.sandbox(ctx, arrival(ctx) + secs(rng.uniform(120, 14400)), "sandbox")
        if rng.random() < c.script_rate:
            self.script(ctx)
        if rng.random() < c.crawler_rate:
            self.crawler(ctx)
        if c.gateway != "none" and rng.random() < FORWARD_RATE:
            delay = min(172800.0, max(300.0, rng.lognormvariate(math.log(3600.0), 1.2)))
            self.detonation(ctx, arrival(ctx) + secs(delay), "/forwarded")
        if rng.random() < REPORT_RATE:
            self.report(ctx, clicked)
        self.finish(ctx)

    def finish(self, ctx):
        c = ctx["c"]
        delivered = arrival(ctx)
        for e in ctx["events"]:
            e["campaign"] = c.name
            e["recipient"] = ctx["who"]
            if c.anchor in ("delivery", "send"):
                e["sent_at"] = iso(ctx["sent"])
            if c.anchor == "delivery":
                e["delivered_at"] = iso(delivered)
            e["at"] = iso(e.pop("t"))
            self.events.append(e)

    def person(self, c):
        """Where and how the recipient reads mail and browses."""
        rng = self.rng
        platform = pick(rng, PLATFORMS)
        phone = platform in ("iphone", "android")
        net = pick(rng, NETWORK_MIX)
        if phone:
            net = "cellular" if rng.random() < 0.6 else "home"
        if net == "zscaler" and not c.zscaler or net == "vdi" and not c.vdi:
            net = "office"
        if net == "vdi":
            platform = "windows"
        if c.isolation and not phone and rng.random() < ISOLATION_SHARE:
            net = "isolation"
        if net == "office":
            ip = rng.choice(c.office_nat)
        elif net == "zscaler":
            ip = rng.choice(c.zscaler_ips)
        elif net == "vdi":
            ip = address_in(rng, self.pools.ms_cloud)
        elif net == "isolation":
            ip = address_in(rng, self.pools.vendor[c.gateway])
        else:
            ip = self.pools.unlisted(rng)
        ua, stuck = self.browsers.agent(rng, platform), False
        share, old = STUCK.get(platform, (0.0, None))
        if rng.random() < share:
            ua, stuck = old, True
        # Isolation carries browsing only; the mail client stays on the
        # office network.
        mail_ip = rng.choice(c.office_nat) if net == "isolation" else ip
        return {"platform": platform, "net": net, "ip": ip, "mail_ip": mail_ip, "ua": ua,
                "stuck": stuck, "lang": rng.choice(LANGUAGES)}

    def own_agent(self, p, day):
        """The person's agent on a day: an updating browser's major follows
        the calendar, a stuck one stays."""
        return p["ua"] if p["stuck"] else self.browsers.dated(self.rng, p["ua"], day)

    # -- events ------------------------------------------------------------

    def event(self, ctx, t, truth, case, kind="click", link=None, ip=None, ua=None,
              method="GET", url=None, headers=None, name=None):
        c = ctx["c"]
        e = {"seq": len(ctx["events"]), "kind": kind, "t": t, "truth": truth, "case": case}
        if kind != "report":
            e["ip"] = str(ip)
            if ua is not None:
                e["user_agent"] = ua
            e["method"] = method
        if link is not None:
            e["link"] = link
            e["honeypot"] = link == "hidden"
            e["url"] = url or self.url(ctx, link)
        elif kind == "open":
            e["url"] = f"/o/{ctx['token']}.gif"
        if headers:
            e["headers"] = headers
        if name and c.resolves_names:
            e["reverse_dns"] = name
        ctx["events"].append(e)
        return e

    def url(self, ctx, link, scrambled=False):
        c = ctx["c"]
        utm = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8)) \
            if scrambled else "mail"
        return f"/l/{c.name}/{link}?rid={ctx['token']}&utm_source={utm}&utm_campaign={c.name}"

    def gateway_address(self, c):
        rng = self.rng
        p = self.pools
        if c.gateway == "microsoft":
            where = pick(rng, [("eop", 0.55), ("detonation", 0.20), ("cloud", 0.15),
                               ("unlisted", 0.10)])
            nets = {"eop": p.eop, "detonation": p.detonation, "cloud": p.ms_cloud}.get(where)
        elif c.gateway == "barracuda":
            where = pick(rng, [("published", 0.70), ("asn", 0.20), ("unlisted", 0.10)])
            nets = {"published": p.barracuda, "asn": p.vendor["barracuda"]}.get(where)
        else:
            where = pick(rng, [("asn", 0.85), ("unlisted", 0.15)])
            nets = p.vendor[c.gateway] if where == "asn" else None
        ip = address_in(rng, nets) if nets else p.unlisted(rng)
        name = None
        if c.gateway == "barracuda" and where == "published":
            name = "o" + str(ip).replace(".", "-") + ".ess.barracudanetworks.com"
        return ip, name, f"{c.gateway}-{where}"

    def gateway_start(self):
        share_timing = [((lo, hi), share) for share, lo, hi in GATEWAY_TIMING]
        lo, hi = pick(self.rng, share_timing)
        if (lo, hi) == (20.0, 60.0):
            return min(hi, max(lo, self.rng.gauss(43.0, 9.0)))
        return self.rng.uniform(lo, hi)

    def detonation(self, ctx, base, suffix=""):
        """The gateway's scan of the message sent (or forwarded) at `base`."""
        rng = self.rng
        c = ctx["c"]
        t = base + secs(self.gateway_start())
        day = t.date()
        ua, ua_case = gateway_agent(rng, self.calendar, day)
        addresses = [self.gateway_address(c) for _ in range(rng.randint(2, 3)
                                                            if rng.random() < ROTATE_SHARE
                                                            else 1)]
        links = c.links
        if c.gateway == "barracuda" and rng.random() < BARRACUDA_FIRST_ONLY:
            links = links[:1]
        scrambled = rng.random() < SCRAMBLED_UTM_SHARE
        held = (c.gateway == "microsoft" and c.anchor == "delivery" and not suffix
                and rng.random() < SAFELINKS_HELD)
        if rng.random() < GATEWAY_OPENS_PIXEL:
            ip, name, where = addresses[0]
            self.event(ctx, t - secs(rng.uniform(0.2, 1.0)), "mail_gateway",
                       f"{where}/{ua_case}{suffix}/open", kind="open", ip=ip, ua=ua, name=name)
        for link in links:
            ip, name, where = rng.choice(addresses)
            case = f"{where}/{ua_case}{suffix}" + ("/held" if held else "")
            self.event(ctx, t, "mail_gateway", case, link=link, ip=ip, ua=ua,
                       url=self.url(ctx, link, scrambled), name=name)
            t += secs(rng.uniform(0.4, 2.0))
        if rng.random() < MUTATED_SHARE:
            ip, name, where = rng.choice(addresses)
            link = rng.choice(links)
            self.event(ctx, t, "mail_gateway", f"{where}/{ua_case}{suffix}/mutated", link=link, ip=ip,
                       ua=ua, url=self.url(ctx, link, scrambled) + "%27", name=name)
            t += secs(rng.uniform(0.4, 2.0))
        if held:
            ctx["held_until"] = t + secs(rng.uniform(2.0, 40.0))

    def human_delay(self):
        rng = self.rng
        if rng.random() < FAST_READER:
            return rng.uniform(5.0, 20.0), "fast-reader"
        return min(172800.0, max(60.0, rng.lognormvariate(math.log(2400.0), 1.4))), "reader"

    def human_click(self, ctx):
        rng = self.rng
        c = ctx["c"]
        p = ctx["person"]
        delay, case = self.human_delay()
        t = arrival(ctx) + secs(delay)
        ua = self.own_agent(p, t.date())
        stuck = "-stuck" if p["stuck"] else ""
        case = f"recipient-{p['platform']}{stuck}-{p['net']}-{case}"
        headers = {"accept-language": p["lang"]}
        if p["platform"] == "windows" and p["net"] != "vdi" and rng.random() < OFFICE_PREFETCH:
            self.office_prefetch(ctx, t, p["ip"])
            case += "-after-office"
        link = "policy" if "policy" in c.links and rng.random() < 0.3 else "offer"
        self.event(ctx, t, "recipient", case, link=link, ip=p["ip"], ua=ua, headers=headers)
        if rng.random() < DOUBLE_CLICK:
            self.event(ctx, t + secs(rng.uniform(0.2, 2.0)), "recipient", case + "-double",
                       link=link, ip=p["ip"], ua=ua, headers=headers)
        if rng.random() < UNSUBSCRIBE_TOO:
            self.event(ctx, t + secs(rng.uniform(20, 600)), "recipient", case + "-unsubscribe",
                       link="unsubscribe", ip=p["ip"], ua=ua, headers=headers)

    def office_prefetch(self, ctx, t, ip):
        rng = self.rng
        steps = pick(rng, [(("HEAD", "OPTIONS", "GET"), 0.4), (("OPTIONS", "GET"), 0.3),
                           (("GET",), 0.3)])
        agents = {"HEAD": OFFICE_HEAD, "OPTIONS": OFFICE_OPTIONS, "GET": OFFICE_GET}
        at = t - secs(rng.uniform(0.3, 1.5))
        for method in reversed(steps):
            self.event(ctx, at, "prefetch", f"office-{method.lower()}", link="offer", ip=ip,
                       ua=agents[method], method=method)
            at -= secs(rng.uniform(0.05, 0.4))

    def open(self, ctx):
        rng = self.rng
        c = ctx["c"]
        p = ctx["person"]
        delay, _ = self.human_delay()
        t = arrival(ctx) + secs(max(2.0, delay * 0.6))
        desk = p["platform"] not in ("iphone", "android")
        client = pick(rng, [("browser", 0.35), ("outlook" if desk else "applemail", 0.35),
                            ("gmail", 0.10), ("yahoo", 0.05), ("owa", 0.15)])
        if client == "gmail":
            ip, ua = address_in(rng, self.pools.google), GOOGLE_IMAGE_PROXY
        elif client == "yahoo":
            ip, ua = self.pools.unlisted(rng), YAHOO_PROXY
        elif client == "owa":
            ip = address_in(rng, self.pools.exchange)
            ua = self.own_agent(p, t.date())
        elif client == "outlook":
            ip, ua = p["mail_ip"], OUTLOOK_DESKTOP
        elif client == "applemail":
            ip, ua = p["mail_ip"], APPLE_MAIL
        else:
            ip, ua = p["mail_ip"], self.own_agent(p, t.date())
        self.event(ctx, t, "recipient", f"open-{client}", kind="open", ip=ip, ua=ua)

    def preview(self, ctx):
        rng = self.rng
        p = ctx["person"]
        name, ua = pick(rng, [((n, u), w) for n, u, w in LINK_PREVIEWS])
        t = arrival(ctx) + secs(rng.uniform(60, 28800))
        dns = None
        if name == "slack":
            ip = address_in(rng, self.pools.aws)
            dns = aws_name(ip)
        elif name == "teams":
            ip = address_in(rng, self.pools.ms_cloud)
        elif name == "discord":
            ip = address_in(rng, self.pools.google)
        elif name == "whatsapp":
            ip = p["ip"] if p["net"] in ("home", "cellular") else self.pools.unlisted(rng)
        else:
            ip = self.pools.unlisted(rng)
        self.event(ctx, t, "link_preview", f"preview-{name}", link="offer", ip=ip, ua=ua,
                   name=dns)

    def sandbox(self, ctx, t, truth, case_prefix="sandbox"):
        rng = self.rng
        c = ctx["c"]
        day = t.date()
        chrome = self.calendar.current("Chrome", day)
        kind, ua = pick(rng, [
            (("headless", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
              f"Gecko) HeadlessChrome/{chrome}.0.0.0 Safari/537.36"), 0.35),
            (("puppeteer", windows_chrome(chrome) + " Puppeteer"), 0.05),
            (("twinwave", windows_chrome(chrome) + " TwinWaveScanner/1.0"), 0.10),
            (("virustotal", "AppEngine-Google; (+http://code.google.com/appengine; appid: "
              "s~virustotalcloud)"), 0.15),
            (("disguised", windows_chrome(chrome)), 0.35),
        ])
        on_aws = rng.random() < 0.4
        ip = address_in(rng, self.pools.aws if on_aws else self.pools.sandbox)
        dns = aws_name(ip) if on_aws else None
        for link in c.links:
            self.event(ctx, t, truth, f"{case_prefix}-{kind}", link=link, ip=ip, ua=ua,
                       name=dns)
            t += secs(rng.uniform(0.5, 3.0))

    def script(self, ctx):
        rng = self.rng
        ua = rng.choice(SCRIPTS)
        cloud = rng.random() < 0.7
        ip = address_in(rng, self.pools.sandbox) if cloud else self.pools.unlisted(rng)
        t = arrival(ctx) + secs(rng.uniform(30, 172800))
        name = ua.split("/")[0] or "empty"
        # An empty agent is either sent as an empty header or not at all.
        if not ua and rng.random() < 0.5:
            ua = None
        for link in ctx["c"].links[: rng.randint(1, 2)]:
            self.event(ctx, t, "automation", f"script-{name}", link=link, ip=ip, ua=ua)
            t += secs(rng.uniform(0.1, 1.0))

    def crawler(self, ctx):
        rng = self.rng
        t = arrival(ctx) + secs(rng.uniform(3600, 604800))
        if rng.random() < 0.3:
            ip = address_in(rng, self.pools.google)
            name = "google-proxy-" + str(ip).replace(".", "-") + ".google.com"
            ua = self.browsers.dated(rng, windows_chrome(150), t.date(), lag=0)
            self.event(ctx, t, "crawler", "crawler-google-fetcher", link="offer", ip=ip, ua=ua,
                       name=name)
            return
        ua = rng.choice(CRAWLERS)
        ip = address_in(rng, self.pools.sandbox) if rng.random() < 0.5 else \
            self.pools.unlisted(rng)
        self.event(ctx, t, "crawler", "crawler-named", link="offer", ip=ip, ua=ua)

    def report(self, ctx, clicked):
        rng = self.rng
        c = ctx["c"]
        base = arrival(ctx)
        last = max((e["t"] for e in ctx["events"] if e["truth"] == "recipient"), default=base)
        t = max(base, last) + secs(rng.uniform(30, 7200))
        self.event(ctx, t, "recipient", "report", kind="report")
        roll = rng.random()
        if roll < INVESTIGATOR_AFTER_REPORT:
            self.investigator(ctx, t + secs(rng.uniform(600, 21600)))
        elif roll < INVESTIGATOR_AFTER_REPORT + SOAR_AFTER_REPORT:
            self.sandbox(ctx, t + secs(rng.uniform(120, 10800)), "sandbox", "soar")

    def investigator(self, ctx, t):
        rng = self.rng
        c = ctx["c"]
        ip = rng.choice(c.it_addresses)
        ua = self.browsers.dated(rng, self.browsers.agent(rng, "windows"), t.date(), lag=0)
        headers = {"accept-language": "en-US,en;q=0.9"}
        self.event(ctx, t, "investigator", "investigator-open", kind="open", ip=ip,
                   ua=OUTLOOK_DESKTOP)
        t += secs(rng.uniform(5, 120))
        self.event(ctx, t, "investigator", "investigator-click", link="offer", ip=ip, ua=ua,
                   headers=headers)
        if rng.random() < 0.3 and "hidden" in c.links:
            self.event(ctx, t + secs(rng.uniform(5, 60)), "investigator",
                       "investigator-click-hidden", link="hidden", ip=ip, ua=ua,
                       headers=headers)


FIELD_ORDER = ["id", "kind", "campaign", "recipient", "link", "honeypot", "at", "sent_at",
               "delivered_at", "ip", "user_agent", "method", "url", "headers", "reverse_dns",
               "truth", "case"]


def write(events, out):
    buf = io.StringIO()
    for e in events:
        record = {k: e[k] for k in FIELD_ORDER if k in e}
        buf.write(json.dumps(record, separators=(",", ":")) + "\n")
    data = buf.getvalue().encode()
    if out.endswith(".gz"):
        with open(out, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                               compresslevel=9) as f:
                f.write(data)
    else:
        with open(out, "wb") as f:
            f.write(data)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a labelled log")
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument("--out", required=True, help="output path; .gz to compress")
    agents = sub.add_parser("agents", help="copy recipients' agents from the user-agents package")
    agents.add_argument("--from", dest="source", required=True)
    agents.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "agents":
        extract_agents(args.source, args.out)
        return
    events = Generator(args.seed).run()
    write(events, args.out)
    counts = {}
    for e in events:
        counts[(e["kind"], e["truth"])] = counts.get((e["kind"], e["truth"]), 0) + 1
    print(f"{args.out}: {len(events)} events", file=sys.stderr)
    for (kind, truth), n in sorted(counts.items()):
        print(f"  {kind:6} {truth:13} {n}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
