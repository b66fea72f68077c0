#!/usr/bin/python3
"""Static check of deploy/Dockerfile against the built binaries (no Docker engine is needed or used).

For every runtime stage that copies a binary out of the build stage:
  * every shared library `ldd` resolves for that binary belongs (dpkg -S) to a package the stage installs,
    directly or through the Depends/Pre-Depends of what it installs (closure over this host's dpkg database;
    the host is Debian bookworm like the images);
  * the package of every library the binary names itself (DT_NEEDED) is listed explicitly in the stage or a stage it
    is built FROM (libc6 excepted: it is in every Debian image);
  * every package a runtime stage installs exists (installed here, or known to apt-cache);
  * the stage runs as a numeric non-root USER and its ENTRYPOINT is the copied binary.
And for the build stage: it installs every -dev package of MT_PACKAGES (scripts/lib/common.sh) plus the toolchain
(NOT_FOR_IMAGES excepted).

Usage: check_images.py --root SOURCE_DIR --binary NAME=PATH [--binary NAME=PATH ...]
Exit status: 0 ok, 1 a check failed.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

BASE_PACKAGES = {"libc6"}  # present in debian:bookworm(-slim); everything else must be installed explicitly
TOOLCHAIN = {"build-essential", "cmake", "ninja-build", "pkg-config"}
# -dev packages of MT_PACKAGES that no image build needs: the libFuzzer and sanitizer runtimes of scripts/fuzz.
NOT_FOR_IMAGES = {"libclang-rt-14-dev"}

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def logical_lines(text):
    """Dockerfile lines with backslash continuations joined and comments dropped."""
    out, current = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        out.append((current + line).strip())
        current = ""
    if current:
        out.append(current.strip())
    return out


def apt_packages(run_command):
    """Package names of every `apt-get install` in one RUN command."""
    packages = []
    for part in re.split(r"&&|;|\|\|", run_command):
        words = shlex.split(part)
        if "apt-get" not in words or "install" not in words:
            continue
        for word in words[words.index("install") + 1:]:
            if not word.startswith("-"):
                packages.append(word)
    return packages


def parse_dockerfile(path):
    stages, order, current = {}, [], None
    for line in logical_lines(open(path, encoding="utf-8").read()):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            m = re.match(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", rest.strip(), re.IGNORECASE)
            if not m:
                fail(f"Dockerfile: cannot parse FROM {rest}")
                continue
            name = m.group(2) or f"stage{len(order)}"
            current = {"name": name, "from": m.group(1), "packages": [], "copies": [], "user": None,
                       "entrypoint": None}
            stages[name] = current
            order.append(name)
        elif current is None:
            continue
        elif keyword == "RUN":
            current["packages"] += apt_packages(rest)
        elif keyword == "COPY":
            words = rest.split()
            src = next((w for w in words if w.startswith("--from=")), None)
            args = [w for w in words if not w.startswith("--")]
            if src and len(args) >= 2:
                current["copies"] += [(src.split("=", 1)[1], a, args[-1]) for a in args[:-1]]
        elif keyword == "USER":
            current["user"] = rest.strip()
        elif keyword == "ENTRYPOINT":
            current["entrypoint"] = rest.strip()
    return stages, order


def stage_chain(stages, name):
    chain = []
    while name in stages:
        chain.append(stages[name])
        name = stages[name]["from"]
    return chain


def run(args):
    return subprocess.run(args, capture_output=True, text=True)


class Dpkg:
    """This host's dpkg database: installed packages, their dependencies, and file ownership."""

    def __init__(self):
        out = run(["dpkg-query", "-W", "-f=${Package}\t${Status}\t${Provides}\t${Pre-Depends}\t${Depends}\n"])
        self.installed, self.depends, self.providers = set(), {}, {}
        for line in out.stdout.splitlines():
            fields = line.split("\t")
            if len(fields) < 5 or not fields[1].endswith(" installed"):
                continue
            name = fields[0]
            self.installed.add(name)
            for provided in filter(None, (p.strip().split(" ")[0] for p in fields[2].split(","))):
                self.providers.setdefault(provided, set()).add(name)
            self.depends[name] = [g for g in (fields[3] + "," + fields[4]).split(",") if g.strip()]

    def resolve(self, alternatives):
        """The installed package satisfying one dependency group `a (>= 1) | b`, or None."""
        for alt in alternatives.split("|"):
            name = alt.strip().split(" ")[0].split(":")[0]
            if name in self.installed:
                return name
            for provider in sorted(self.providers.get(name, ())):
                return provider
        return None

    def closure(self, packages):
        seen, todo = set(), list(packages)
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            for group in self.depends.get(p, []):
                dep = self.resolve(group)
                if dep and dep not in seen:
                    todo.append(dep)
        return seen

    def owners(self, paths):
        """{path: package} for library paths, looked up with one `dpkg -S` (merged /usr: try both spellings)."""
        candidates = {}
        for path in paths:
            real = os.path.realpath(path)
            names = [path, real]
            names += [p[4:] if p.startswith("/usr/") else "/usr" + p for p in (path, real)]
            candidates[path] = list(dict.fromkeys(names))
        all_names = sorted({n for names in candidates.values() for n in names})
        found = {}
        if all_names:
            out = run(["dpkg", "-S"] + all_names)  # exits 1 when some name is not found; the rest still print
            for line in out.stdout.splitlines():
                if line.startswith("diversion by") or ": " not in line:
                    continue
                packages, file = line.split(": ", 1)
                found.setdefault(file.strip(), packages.split(",")[0].split(":")[0].strip())
        return {path: next((found[n] for n in names if n in found), None) for path, names in candidates.items()}


def ldd(binary):
    """{soname: path} of every library the dynamic loader resolves for `binary` (None when not found)."""
    out = run(["ldd", binary])
    if out.returncode != 0:
        fail(f"ldd {binary}: {out.stderr.strip() or out.stdout.strip()}")
        return {}
    libs = {}
    for line in out.stdout.splitlines():
        line = line.strip()
        m = re.match(r"(\S+) => (not found|\S+)", line)
        if m:
            libs[m.group(1)] = None if m.group(2) == "not found" else m.group(2)
        elif line.startswith("/"):
            libs[os.path.basename(line.split()[0])] = line.split()[0]
    return libs


def needed(binary):
    out = run(["readelf", "-d", binary])
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out.stdout)


def mt_packages(root):
    text = open(os.path.join(root, "scripts/lib/common.sh"), encoding="utf-8").read()
    m = re.search(r"MT_PACKAGES=\((.*?)\)", text, re.S)
    return m.group(1).split() if m else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--binary", action="append", default=[], help="NAME=PATH of a built binary")
    args = parser.parse_args()
    binaries = dict(b.split("=", 1) for b in args.binary)
    dockerfile = os.path.join(args.root, "deploy/Dockerfile")
    stages, order = parse_dockerfile(dockerfile)
    dpkg = Dpkg()

    # Build stage: all -dev packages of MT_PACKAGES and the toolchain.
    build = stages.get("build")
    if not build:
        fail("Dockerfile has no stage named 'build'")
    else:
        if not build["from"].startswith("debian:bookworm"):
            fail(f"build stage is FROM {build['from']}, expected debian:bookworm")
        wanted = TOOLCHAIN | {p for p in mt_packages(args.root) if p.endswith("-dev") and p not in NOT_FOR_IMAGES}
        missing = sorted(wanted - set(build["packages"]))
        if missing:
            fail(f"build stage does not install {missing} (MT_PACKAGES -dev packages and toolchain)")
        else:
            print(f"ok: build stage installs the toolchain and all {len(wanted) - len(TOOLCHAIN)} -dev packages "
                  "of MT_PACKAGES")

    checked = set()
    for name in order:
        stage = stages[name]
        copies = [c for c in stage["copies"] if c[0] == "build"]
        if not copies:
            continue
        chain = stage_chain(stages, name)
        root_image = chain[-1]["from"]
        if not root_image.startswith("debian:bookworm"):
            fail(f"stage {name}: runtime image is based on {root_image}, expected debian:bookworm-slim")
        listed = [p for s in chain for p in s["packages"]]
        for p in listed:
            if p not in dpkg.installed and run(["apt-cache", "show", p]).returncode != 0:
                fail(f"stage {name}: package {p} is neither installed here nor known to apt-cache")
        closure = dpkg.closure(set(listed) | BASE_PACKAGES)
        user = stage["user"] or next((s["user"] for s in chain if s["user"]), None)
        if not user or not re.fullmatch(r"[1-9][0-9]*(:[1-9][0-9]*)?", user):
            fail(f"stage {name}: USER is {user!r}, expected a numeric non-root uid[:gid]")
        for _, src, dest in copies:
            binary_name = os.path.basename(src)
            entry = stage["entrypoint"] or ""
            if binary_name not in entry:
                fail(f"stage {name}: ENTRYPOINT {entry!r} does not run {binary_name}")
            path = binaries.get(binary_name)
            if not path:
                fail(f"stage {name}: no built binary given for {binary_name} (pass --binary {binary_name}=PATH)")
                continue
            if not os.path.isfile(path):
                fail(f"stage {name}: {path} does not exist (build it first: cmake --build <dir>)")
                continue
            checked.add(binary_name)
            failed_before = len(failures)
            libs = ldd(path)
            owners = {}
            packages = dpkg.owners([p for p in libs.values() if p])
            for soname, lib_path in sorted(libs.items()):
                if soname.startswith("linux-vdso") or soname.startswith("linux-gate"):
                    continue
                if lib_path is None:
                    fail(f"{binary_name}: ldd cannot find {soname} on this host")
                    continue
                package = packages[lib_path]
                if package is None:
                    fail(f"{binary_name}: {lib_path} belongs to no Debian package (dpkg -S)")
                    continue
                owners[soname] = package
                if package not in closure:
                    fail(f"stage {name}: {binary_name} loads {soname} from package {package}, "
                         "which the stage does not install (nor anything it installs depends on it)")
            direct = {owners[s] for s in needed(path) if s in owners}
            for package in sorted(direct - set(listed) - BASE_PACKAGES):
                fail(f"stage {name}: {binary_name} links a library of {package} directly; list {package} "
                     "explicitly in the stage")
            unused = sorted(set(stage["packages"]) - set(owners.values()) - {"ca-certificates"})
            if len(failures) > failed_before:
                continue
            print(f"ok: {name}: {binary_name} needs {len(owners)} libraries from "
                  f"{len(set(owners.values()))} packages, all installed by the stage "
                  f"(direct: {', '.join(sorted(direct))})")
            if unused:
                print(f"note: {name}: listed but not loaded by {binary_name} as built here: {', '.join(unused)}")
    for binary_name in sorted(set(binaries) - checked):
        fail(f"{binary_name}: no Dockerfile stage copies it from the build stage")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("deploy/Dockerfile: all image checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
