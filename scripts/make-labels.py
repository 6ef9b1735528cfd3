#!/usr/bin/env python3
"""Builds config/labels/tlsfp-labels.json, the shipped known-fingerprint labels.

Source: the expected values of the real-client fixtures (test/fixtures/clients/
and test/fixtures/quic/), which were captured from the named stacks between two
network namespaces. Each label keeps the fixture it came from and the oracle
that produced the value (the fixture's "oracles" entry for ja3 / ja4), so a
label is never more trustworthy than the fixture behind it.

Usage: python3 scripts/make-labels.py  (from the repository root)
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# fixture name prefix -> application (checked in order; first match wins)
APPS = [
    ("clients/browser-chromium", "Chromium 156 (headless, TLS over TCP)"),
    ("clients/browser-firefox", "Firefox 153 ESR (headless, TLS over TCP)"),
    ("clients/curl-tls12", "curl 7.88.1 (OpenSSL 3.0), TLS 1.2 only"),
    ("clients/curl", "curl 7.88.1 (OpenSSL 3.0)"),
    ("clients/gnutls", "gnutls-cli 3.7.9 (GnuTLS)"),
    ("clients/go", "Go 1.19 crypto/tls"),
    ("clients/node", "Node.js 20 tls.connect (OpenSSL 3.0)"),
    ("clients/openssl-tls12", "openssl 3.0 s_client, TLS 1.2 only"),
    ("clients/openssl", "openssl 3.0 s_client"),
    ("clients/python3", "Python 3.11 ssl module (OpenSSL 3.0)"),
    ("clients/wget", "wget 1.21.3 (GnuTLS)"),
    ("quic/chromium", "Chromium 156 (QUIC)"),
    ("quic/firefox", "Firefox 153 ESR (QUIC)"),
    ("quic/ngtcp2", "ngtcp2 0.12 gtlsclient (GnuTLS, QUIC)"),
]


def app_for(name):
    for prefix, app in APPS:
        if name.startswith(prefix):
            return app
    return None


def main():
    labels = {}
    files = sorted(glob.glob(os.path.join(ROOT, "test/fixtures/clients/*.expected.json")))
    files += sorted(glob.glob(os.path.join(ROOT, "test/fixtures/quic/*.expected.json")))
    for path in files:
        name = os.path.relpath(path, os.path.join(ROOT, "test/fixtures"))[: -len(".expected.json")]
        app = app_for(name)
        if app is None:
            sys.exit(f"make-labels: no application for fixture {name}: add it to APPS")
        with open(path) as f:
            fx = json.load(f)
        oracles = fx.get("oracles", {})
        for hs in fx["handshakes"]:
            for kind, value, oracle in (
                ("ja4", hs.get("ja4"), oracles.get("ja4")),
                ("ja3", (hs.get("ja3") or {}).get("hash"), oracles.get("ja3")),
            ):
                if not value:
                    continue
                key = (kind, value)
                if key in labels:
                    if name not in labels[key]["fixtures"]:
                        labels[key]["fixtures"].append(name)
                    continue
                labels[key] = {
                    "kind": kind,
                    "value": value,
                    "application": app,
                    "notes": fx["description"],
                    "oracle": oracle or "unknown",
                    "fixtures": [name],
                }
    out = {
        "version": 1,
        "generated_by": "scripts/make-labels.py from test/fixtures/{clients,quic}/*.expected.json",
        "labels": sorted(labels.values(), key=lambda l: (l["kind"], l["application"], l["value"])),
    }
    dest = os.path.join(ROOT, "config/labels/tlsfp-labels.json")
    with open(dest, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{dest}: {len(labels)} labels")


if __name__ == "__main__":
    main()
