"""Every page of the spec with every filter, each address asked once (never asked before),
one client, against a running `opssies serve`; then reference dates never asked before.

Usage: pages.py BASE_URL USER PASSWORD [DATES...]   (prints one line per page, then a summary)
Each request is timed from the first byte sent to the last byte read (urllib, keep-alive off).
"""

import http.cookiejar
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

base, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
dates = sys.argv[4:] or ["2024-06-30", "2023-03-31", "2025-02-14", "2022-09-30", "2021-12-31"]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
host = urllib.parse.urlsplit(base).netloc


def fetch(path, data=None):
    request = urllib.request.Request(base + path, data=data)
    request.add_header("Origin", base)
    started = time.perf_counter()
    with opener.open(request, timeout=120) as response:
        body = response.read()
        status = response.status
    return time.perf_counter() - started, status, body


_, _, form = fetch("/connexion")
token = re.search(rb'name="jeton" value="([^"]+)"', form).group(1).decode()
fetch("/connexion", urllib.parse.urlencode(
    {"identifiant": user, "mot_de_passe": password, "jeton": token}).encode())

DEPARTEMENTS = ["75", "77", "78", "91", "92", "93", "94", "95"]
FAMILIES = ["CH", "CHU", "Clinique MCO", "EHPAD", "SSR", "Handicap adultes", "HAD", "Dialyse"]
SECTORS = ["Public", "Privé non lucratif", "Privé commercial", "Médico-social", "Privé d'intérêt collectif"]
filters = [{}]
filters += [{"departement": d} for d in DEPARTEMENTS]
filters += [{"famille": f} for f in FAMILIES]
filters += [{"secteur": s} for s in SECTORS]
filters += [{"type": t} for t in ["ES", "ESMS"]]
filters += [{"ose": o} for o in ["oui", "non"]]
filters += [{"departement": d, "famille": f} for d in ["75", "93"] for f in ["CH", "EHPAD"]]
filters += [{"departement": "92", "type": "ES", "ose": "oui"}]
PAGES = ["/", "/etablissements", "/ciblage", "/exercices", "/audits", "/aap",
         "/api/regional", "/api/ciblage", "/api/exercices"]

timings = {}
errors = 0
# The day's pages are warmed by the server at start; one warm request per page first so
# each page's own first render (not a filter) is out of the figures.
for page in PAGES:
    fetch(page)
for query in filters:
    for page in PAGES:
        address = page + ("?" + urllib.parse.urlencode(query) if query else "")
        if not query:
            address += "?tri=nom" if page == "/etablissements" else ""
        seconds, status, _ = fetch(address)
        if status != 200:
            errors += 1
        timings.setdefault(page, []).append(seconds)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


everything = [t for values in timings.values() for t in values]
for page, values in timings.items():
    print(f"page {page:18} n={len(values):3} p50 {1000 * pct(values, 50):7.1f} ms  "
          f"p95 {1000 * pct(values, 95):7.1f} ms  max {1000 * max(values):7.1f} ms")
print(f"filters all pages n={len(everything)} p50 {1000 * pct(everything, 50):.1f} ms "
      f"p95 {1000 * pct(everything, 95):.1f} ms max {1000 * max(everything):.1f} ms errors {errors}")
for date in dates:
    api, status_api, _ = fetch(f"/api/regional?date={date}")
    page, status_page, _ = fetch(f"/?date={date}")
    print(f"new date {date}: /api/regional {1000 * api:.0f} ms (HTTP {status_api}), "
          f"then / {1000 * page:.0f} ms (HTTP {status_page})")
