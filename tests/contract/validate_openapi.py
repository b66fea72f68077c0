#!/usr/bin/env python3
"""Validate recorded HTTP exchanges against proto/openapi.yaml with python3-jsonschema.

usage: validate_openapi.py OPENAPI_YAML [RECORD_DIR]   (default: $MT_TEST_RECORD_DIR)

The end-to-end tests record every exchange (tests/support, MT_TEST_RECORD_DIR). Each JSON response is matched to
its path template and status in the OpenAPI document and validated against the response schema; an exchange whose
path or status the document does not declare is an error too, so the document cannot drift from the code.
OpenAPI 3.0 schema objects are turned into JSON Schema first (`nullable: true` → a type union with "null").
"""
import glob
import json
import os
import re
import sys

import jsonschema
import yaml

API_PREFIXES = ("/api/v1/managed-tables", "/v1/managed-tables")


def to_json_schema(schema):
    """OpenAPI 3.0 schema object → JSON Schema (draft 2020-12), following the schema structure."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "$ref":
            out["$ref"] = value.replace("#/components/schemas/", "#/$defs/")
        elif key in ("nullable", "example", "format", "description"):
            continue
        elif key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = value
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def compile_paths(spec):
    compiled = []
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        literals = len([s for s in template.split("/") if s and not s.startswith("{")])
        compiled.append((re.compile(pattern), literals, template, item))
    return compiled


def find_operation(compiled, method, path):
    matches = [(lit, tpl, item) for rx, lit, tpl, item in compiled if rx.match(path) and method.lower() in item]
    if not matches:
        return None, None
    lit, tpl, item = max(matches, key=lambda m: m[0])  # literal segments win, as in the gateway's router
    return tpl, item[method.lower()]


def resolve(spec, ref_or_obj):
    if "$ref" in ref_or_obj:
        name = ref_or_obj["$ref"].split("/")[-1]
        return spec["components"]["responses"][name]
    return ref_or_obj


def preflight_problem(ex, defs):
    """What is wrong with a recorded CORS preflight answer, or None."""
    if ex["status"] == 204:
        return "a 204 preflight has a body" if ex["body"] else None
    try:
        body = json.loads(ex["body"])
    except ValueError:
        return "body is not JSON"
    schema = dict(defs["Error"])
    schema["$defs"] = defs
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(body))
    if error is not None:
        return f"{error.message} at {list(error.absolute_path)}"
    return None if body.get("error_code") == "FORBIDDEN" else "a refused preflight must be FORBIDDEN"


def main():
    spec = yaml.safe_load(open(sys.argv[1]))
    defs = {name: to_json_schema(s) for name, s in spec["components"]["schemas"].items()}
    compiled = compile_paths(spec)
    exchanges = []
    record_dir = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("MT_TEST_RECORD_DIR", "")
    if not record_dir:
        print("MT_TEST_RECORD_DIR is not set: run through scripts/test")
        return 1
    for f in sorted(glob.glob(record_dir + "/*.jsonl")):
        exchanges += [json.loads(line) for line in open(f) if line.strip()]
    if not exchanges:
        print("no recorded exchanges found in " + record_dir)
        return 1
    failures, checked, skipped = [], 0, 0
    validators = {}
    for ex in exchanges:
        path = ex["path"]
        prefix = next((p for p in API_PREFIXES if path == p or path.startswith(p + "/")), None)
        if prefix is None:
            skipped += 1  # not the API (metrics, health …)
            continue
        sub = path[len(prefix):] or "/"
        if ex["method"] == "OPTIONS" and ex["status"] in (204, 403):
            # CORS preflights, described once in info.description: 204 without a body for an allowed origin,
            # a 403 error body for another.
            problem = preflight_problem(ex, defs)
            if problem:
                failures.append(f"OPTIONS {sub} {ex['status']}: {problem}")
            else:
                checked += 1
            continue
        template, op = find_operation(compiled, ex["method"], sub)
        if op is None:
            if ex["status"] in (404, 405):
                skipped += 1  # unknown routes and methods answer 404/405 by design
                continue
            failures.append(f"{ex['method']} {sub}: no such operation in the document (status {ex['status']})")
            continue
        response = op["responses"].get(str(ex["status"]))
        if response is None:
            failures.append(f"{ex['method']} {template}: status {ex['status']} not declared")
            continue
        response = resolve(spec, response)
        content = response.get("content", {}).get("application/json")
        if content is None:
            checked += 1
            continue
        try:
            body = json.loads(ex["body"])
        except ValueError:
            failures.append(f"{ex['method']} {template} {ex['status']}: body is not JSON")
            continue
        key = (ex["method"], template, ex["status"])
        if key not in validators:  # one compiled validator per response schema, not per exchange
            schema = dict(to_json_schema(content["schema"]))
            schema["$defs"] = defs
            validators[key] = jsonschema.Draft202012Validator(schema)
        error = jsonschema.exceptions.best_match(validators[key].iter_errors(body))
        if error is None:
            checked += 1
        else:
            failures.append(f"{ex['method']} {template} {ex['status']}: {error.message} at {list(error.absolute_path)}")
    unique = sorted(set(failures))
    for f in unique[:50]:
        print("FAIL " + f)
    print(f"{checked} passed, {len(failures)} failed ({skipped} exchanges outside the document skipped)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
