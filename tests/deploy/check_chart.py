#!/usr/bin/python3
"""Static lint of charts/managed-tables: what rendering cannot see (render_chart.mjs renders it with a real Helm).

Checks:
  * Chart.yaml and values.yaml parse as YAML; Chart.yaml has the v2 fields Helm requires.
  * values.schema.json is a valid draft-07 schema and values.yaml validates against it (python3-jsonschema); a few
    deliberately wrong values are rejected (so the schema is not vacuous).
  * dashboards/*.json parse; panel ids are unique; every mt_* series a query uses is one of the documented metrics
    (histograms with _bucket/_sum/_count) and every documented metric is shown.
  * templates: every `{{` has its `}}` (no nesting, none left open); if/range/with/define/block are closed by `end`;
    every .Values.a.b path exists in values.yaml; every include/template names a defined template; every MT_*
    variable is one the services read (README "Configuration" tables, MT_METRICS_PORT, the MT_KAFKA_PROP_ prefix).
  * KEDA topics and consumer groups in values.yaml match the topic table of proto/README.md.

Usage: check_chart.py --root SOURCE_DIR        Exit: 0 ok, 1 a check failed, 77 python3-yaml/jsonschema missing.
"""
import argparse
import copy
import glob
import json
import os
import re
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:  # MT_PACKAGES installs python3-yaml and python3-jsonschema
    print(f"SKIP: {e} (install python3-yaml and python3-jsonschema)")
    sys.exit(77)

# The metrics the services export (the list); `histogram` ones also have _bucket/_sum/_count series.
METRICS = {
    "mt_http_requests_total": "counter",
    "mt_http_request_duration_seconds": "histogram",
    "mt_upload_bytes_total": "counter",
    "mt_job_transitions_total": "counter",
    "mt_analyzer_bytes_total": "counter",
    "mt_analyzer_rows_total": "counter",
    "mt_inserter_rows_total": "counter",
    "mt_inserter_copy_seconds": "histogram",
    "mt_kafka_messages_produced_total": "counter",
    "mt_kafka_messages_consumed_total": "counter",
    "mt_kafka_errors_total": "counter",
    "mt_kafka_consumer_lag": "gauge",
    "mt_db_connections_in_use": "gauge",
}
EXTRA_VARIABLES = {"MT_METRICS_PORT"}  # served by every service (libs/ops), not yet in the README tables
BLOCK_OPENERS = {"if", "range", "with", "define", "block"}

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def load_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        fail(f"{path}: {e}")
        return None


def check_chart_yaml(chart_dir):
    chart = load_yaml(os.path.join(chart_dir, "Chart.yaml"))
    if not isinstance(chart, dict):
        return fail("Chart.yaml is not a mapping")
    for key in ("apiVersion", "name", "version", "appVersion"):
        if not chart.get(key):
            fail(f"Chart.yaml: {key} missing")
    if chart.get("apiVersion") != "v2":
        fail("Chart.yaml: apiVersion must be v2")
    if chart.get("name") != os.path.basename(chart_dir):
        fail(f"Chart.yaml: name {chart.get('name')} differs from the directory name")
    if not re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?", str(chart.get("version", ""))):
        fail(f"Chart.yaml: version {chart.get('version')} is not SemVer 2")
    print("ok: Chart.yaml")


def set_path(values, path, value):
    node = values
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def check_values(chart_dir):
    values = load_yaml(os.path.join(chart_dir, "values.yaml"))
    if not isinstance(values, dict):
        fail("values.yaml is not a mapping")
        return {}
    try:
        with open(os.path.join(chart_dir, "values.schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"values.schema.json: {e}")
        return values
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        fail(f"values.schema.json is not a valid draft-07 schema: {e.message}")
        return values
    validator = jsonschema.Draft7Validator(schema)
    errors = list(validator.iter_errors(values))
    for e in errors:
        fail(f"values.yaml does not match values.schema.json at {'.'.join(map(str, e.path)) or '(root)'}: "
             f"{e.message}")
    if not errors:
        print("ok: values.yaml validates against values.schema.json (draft-07)")
    # The schema must reject typical mistakes.
    wrong = [
        (["gatway"], {}, "an unknown top-level key"),
        (["analyzer", "keda", "minReplicaCount"], 0, "scaling a worker to zero"),
        (["jwt", "alg"], "none", "an unsupported JWT algorithm"),
        (["gateway", "maxUploadBytes"], "100MB", "a non-integer size"),
    ]
    for path, value, what in wrong:
        mutated = copy.deepcopy(values)
        set_path(mutated, path, value)
        if validator.is_valid(mutated):
            fail(f"values.schema.json accepts {what} ({'.'.join(path)}={value!r})")
    return values


def check_dashboards(chart_dir):
    files = sorted(glob.glob(os.path.join(chart_dir, "dashboards", "*.json")))
    if not files:
        fail("no dashboard in dashboards/")
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                dashboard = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{path}: {e}")
            continue
        for key in ("uid", "title", "panels", "schemaVersion"):
            if key not in dashboard:
                fail(f"{path}: {key} missing")
        panels = list(dashboard.get("panels", []))
        for p in list(panels):
            panels += p.get("panels", [])
        ids = [p.get("id") for p in panels]
        if len(ids) != len(set(ids)):
            fail(f"{path}: duplicate panel ids")
        used = set()
        for p in panels:
            for t in p.get("targets", []):
                expr = t.get("expr", "")
                if not expr:
                    fail(f"{path}: panel {p.get('title')!r} has a target without expr")
                for series in re.findall(r"\bmt_[a-z0-9_]+", expr):
                    base = re.sub(r"_(bucket|sum|count)$", "", series)
                    if series in METRICS:
                        used.add(series)
                    elif base in METRICS and METRICS[base] == "histogram":
                        used.add(base)
                    else:
                        fail(f"{path}: panel {p.get('title')!r} uses {series}, which no service exports")
        missing = sorted(set(METRICS) - used)
        if missing:
            fail(f"{path}: metrics not shown: {', '.join(missing)}")
        else:
            print(f"ok: {os.path.basename(path)}: {len(panels)} panels, all {len(METRICS)} metrics, no others")


def template_actions(path, text):
    """The actions ({{ ... }}) of one template, or None after reporting unbalanced delimiters."""
    actions, pos = [], 0
    while True:
        start = text.find("{{", pos)
        close = text.find("}}", pos)
        if start < 0:
            if close >= 0:
                fail(f"{path}: '}}}}' without '{{{{' at line {text.count(chr(10), 0, close) + 1}")
                return None
            return actions
        if 0 <= close < start:
            fail(f"{path}: '}}}}' without '{{{{' at line {text.count(chr(10), 0, close) + 1}")
            return None
        end = text.find("}}", start + 2)
        nested = text.find("{{", start + 2)
        line = text.count("\n", 0, start) + 1
        if end < 0:
            fail(f"{path}: '{{{{' at line {line} is never closed")
            return None
        if 0 <= nested < end:
            fail(f"{path}: '{{{{' at line {line} is not closed before the next '{{{{'")
            return None
        actions.append((line, text[start + 2:end]))
        pos = end + 2


def check_templates(chart_dir, values, variables):
    paths = sorted(glob.glob(os.path.join(chart_dir, "templates", "*")))
    failed_before = len(failures)
    defined, included, value_refs = set(), [], 0
    for path in paths:
        name = os.path.relpath(path, chart_dir)
        text = open(path, encoding="utf-8").read()
        actions = template_actions(name, text)
        if actions is None:
            continue
        stack = []
        for line, action in actions:
            body = action.strip()
            body = body[1:].strip() if body.startswith("-") else body
            body = body[:-1].strip() if body.endswith("-") else body
            if body.startswith("/*"):
                if not body.endswith("*/"):
                    fail(f"{name}:{line}: comment not closed inside its action")
                continue
            word = re.split(r"[\s(]", body, maxsplit=1)[0]
            if word in BLOCK_OPENERS:
                stack.append((word, line))
                if word == "define":
                    m = re.match(r'define\s+"([^"]+)"', body)
                    if m:
                        defined.add(m.group(1))
            elif word == "end":
                if not stack:
                    fail(f"{name}:{line}: 'end' without an open block")
                else:
                    stack.pop()
            elif word == "else" and not stack:
                fail(f"{name}:{line}: 'else' outside a block")
            for m in re.finditer(r'\b(?:include|template)\s+"([^"]+)"', body):
                included.append((name, line, m.group(1)))
            for m in re.finditer(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", body):
                value_refs += 1
                node, walked = values, []
                for key in m.group(1).split(".")[1:]:
                    walked.append(key)
                    if not isinstance(node, dict) or key not in node:
                        fail(f"{name}:{line}: .Values.{'.'.join(walked)} is not in values.yaml")
                        break
                    node = node[key]
        for word, line in stack:
            fail(f"{name}:{line}: '{word}' is never closed by 'end'")
        for variable in set(re.findall(r"\bMT_[A-Z0-9_]+", text)):
            if variable not in variables and not (variable.startswith("MT_KAFKA_PROP_")
                                                  and "MT_KAFKA_PROP_" in variables):
                fail(f"{name}: {variable} is not a variable the services read (README Configuration)")
    for name, line, template in included:
        if template not in defined:
            fail(f"{name}:{line}: include of undefined template {template!r}")
    if len(failures) == failed_before:
            print(f"ok: {len(paths)} templates: delimiters and blocks balanced, {value_refs} .Values references, "
              f"{len(set(t for _, _, t in included))} included templates checked")


def readme_variables(root):
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    found = set(re.findall(r"`(MT_[A-Z0-9_]+)", text))
    return found | EXTRA_VARIABLES


def check_kafka_topics(root, values):
    text = open(os.path.join(root, "proto", "README.md"), encoding="utf-8").read()
    rows = re.findall(r"^\|\s*`([a-z0-9.]+)`\s*\|.*\|\s*(mt-[a-z]+)\s*\(`([^`]+)`\)\s*\|\s*$", text, re.M)
    if not rows:
        return fail("proto/README.md: no topic rows found")
    failed_before = len(failures)
    for topic, consumer, group in rows:
        component = consumer.replace("mt-", "")
        c = values.get(component, {})
        if c.get("keda", {}).get("topic") != topic:
            fail(f"values.yaml: {component}.keda.topic is {c.get('keda', {}).get('topic')!r}, proto says {topic!r}")
        if c.get("kafkaGroup") != group:
            fail(f"values.yaml: {component}.kafkaGroup is {c.get('kafkaGroup')!r}, proto says {group!r}")
    if len(failures) == failed_before:
        print(f"ok: KEDA topics and consumer groups match proto/README.md ({len(rows)} topics)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    args = parser.parse_args()
    chart_dir = os.path.join(args.root, "charts", "managed-tables")
    check_chart_yaml(chart_dir)
    values = check_values(chart_dir)
    check_dashboards(chart_dir)
    check_templates(chart_dir, values, readme_variables(args.root))
    check_kafka_topics(args.root, values)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("charts/managed-tables: all static checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
