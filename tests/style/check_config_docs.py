#!/usr/bin/python3
"""STYLE.md rule 6: the README's configuration tables match what the services read.

Runs each service with --help-config (the settings as the code declares them) and compares names and defaults
with the README: its first table of `MT_…` rows documents the gateway, its second the analyzer and inserter.
Settings missing from the README, documented with another default, or documented but no longer read all fail.

usage: check_config_docs.py README.md GATEWAY_BINARY ANALYZER_BINARY INSERTER_BINARY
"""
import re
import subprocess
import sys

ROW = re.compile(r"^\| `(MT_[A-Z0-9_]+)` \| ([^|]*) \|")


def declared(binary):
    """{name: default or None when required} from `binary --help-config`."""
    out = subprocess.run([binary, "--help-config"], capture_output=True, text=True, check=True).stdout
    settings = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m:
            cell = m.group(2).strip()
            settings[m.group(1)] = None if cell == "(required)" else cell.strip("`")
    return settings


def documented(readme):
    """The README's tables of settings, in order: [{name: default cell}]."""
    tables, current = [], None
    for line in open(readme, encoding="utf-8"):
        m = ROW.match(line)
        if m:
            if current is None:
                current = {}
                tables.append(current)
            current[m.group(1)] = m.group(2).strip()
        elif current is not None and not line.startswith("|"):
            current = None
    return tables


def compare(service, code, docs, problems):
    for name, default in code.items():
        if name not in docs:
            problems.append(f"{service}: {name} is not in the README")
        elif default is None and docs[name] != "(required)":
            problems.append(f"{service}: {name} is required but the README says {docs[name]}")
        elif default and f"`{default}`" not in docs[name]:
            problems.append(f"{service}: {name} defaults to `{default}` but the README says {docs[name]}")


def main():
    readme, gateway, analyzer, inserter = sys.argv[1:5]
    tables = documented(readme)
    if len(tables) < 2:
        print(f"{readme}: expected a gateway table and a worker table of settings", file=sys.stderr)
        return 1
    problems = []
    gateway_code, worker_code = declared(gateway), {**declared(analyzer), **declared(inserter)}
    compare("gateway", gateway_code, tables[0], problems)
    compare("analyzer/inserter", worker_code, tables[1], problems)
    for name in tables[0]:
        if name not in gateway_code:
            problems.append(f"README documents {name} for the gateway, which does not read it")
    for name in tables[1]:
        if name not in worker_code:
            problems.append(f"README documents {name} for the workers, which do not read it")
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"{len(gateway_code)} gateway and {len(worker_code)} worker settings documented")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
