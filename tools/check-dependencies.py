#!/usr/bin/env python3
"""Checks that the folders (= namespaces) of src/Bridgekeeper use each other only as docs/dependencies.txt allows.

A folder uses another when one of its .cs files has `using Bridgekeeper.X` (also `using static`, `global using` and
aliases), a qualified `Bridgekeeper.X.` reference, or a namespace-relative one such as `Storage.SettingsException`
(X's folder declares that type): the rules of /work/shared/hooks/folder-cycles.py. Comments count too: a `cref`
is a compiled reference. Exit 1, with one line per problem, on
- a use the file does not allow (file, line and edge);
- an allowed edge that no code uses any more (the file describes the code, not what might be wanted one day);
- a cycle among the allowed edges;
- a line of the file that is not `From -> To` with two known folders;
- a .cs file whose namespace is not its folder's (it would use its namespace's types unseen).
Program.cs and BridgekeeperApp.cs, in the root namespace, start the app and may use anything: they are not checked.
Usage: check-dependencies.py [REPOSITORY_DIR [ALLOWED_FILE]]  (defaults: this script's repository, docs/dependencies.txt)
"""
import os
import re
import sys

repository = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
allowed_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repository, "docs", "dependencies.txt")
root = os.path.join(repository, "src", "Bridgekeeper")
problems = []


def sources(folder):
    for dirpath, dirnames, files in os.walk(os.path.join(root, folder)):
        dirnames[:] = sorted(d for d in dirnames if d not in ("bin", "obj"))
        for name in sorted(files):
            if name.endswith(".cs"):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    yield os.path.relpath(path, repository), f.read().splitlines()


folders = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and d not in ("bin", "obj"))
files = {f: list(sources(f)) for f in folders}

# The allowed edges: `From -> To`, one a line; `#` starts a comment.
allowed = {}
with open(allowed_path, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"(\w+)\s*->\s*(\w+)", line)
        if not m or m.group(1) not in folders or m.group(2) not in folders or m.group(1) == m.group(2):
            problems.append(f"{os.path.relpath(allowed_path, repository)}:{number}: not 'From -> To' with two folders of src/Bridgekeeper: {line}")
        else:
            allowed.setdefault((m.group(1), m.group(2)), number)

# What the code uses.
namespace_line = re.compile(r"^\s*namespace\s+([\w.]+)")
qualified = re.compile(r"\bBridgekeeper\.(" + "|".join(map(re.escape, folders)) + r")\b")
declaration = re.compile(r"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")
declared = {f: {t for _, lines in files[f] for line in lines for t in declaration.findall(line)} for f in folders}
relative = {f: re.compile(r"(?<![\w.])" + re.escape(f) + r"\.(" + "|".join(map(re.escape, sorted(declared[f]))) + r")\b")
            for f in folders if declared[f]}
used = {}
for folder in folders:
    for path, lines in files[folder]:
        namespace = next((m.group(1) for m in map(namespace_line.match, lines) if m), None)
        if namespace != f"Bridgekeeper.{folder}" and not (namespace or "").startswith(f"Bridgekeeper.{folder}."):
            problems.append(f"{path}: namespace {namespace} is not Bridgekeeper.{folder}[.…]: namespaces follow folders")
        for number, line in enumerate(lines, 1):
            if namespace_line.match(line):
                continue
            targets = {m.group(1) for m in qualified.finditer(line)}
            targets |= {g for g, pattern in relative.items() if pattern.search(line)}
            for target in sorted(targets - {folder}):
                used.setdefault((folder, target), []).append(f"{path}:{number}")

for edge, places in sorted(used.items()):
    if edge not in allowed:
        for place in places:
            problems.append(f"{place}: {edge[0]} -> {edge[1]} is not allowed by {os.path.relpath(allowed_path, repository)}")
for edge, number in sorted(allowed.items(), key=lambda e: e[1]):
    if edge not in used:
        problems.append(f"{os.path.relpath(allowed_path, repository)}:{number}: {edge[0]} -> {edge[1]} is allowed but no code uses it; remove the line")

# A cycle among the allowed edges: depth-first search, reporting the path back to the folder seen on the way.
graph = {f: sorted(b for (a, b) in allowed if a == f) for f in folders}
state, path = {}, []


def visit(v):
    state[v] = "open"
    path.append(v)
    for w in graph[v]:
        if state.get(w) == "open":
            problems.append("cycle among the allowed edges: " + " -> ".join(path[path.index(w):] + [w]))
        elif w not in state:
            visit(w)
    path.pop()
    state[v] = "done"


for v in folders:
    if v not in state:
        visit(v)

for problem in problems:
    print(problem)
print(f"dependencies: {len(used)} folder edges in use, {len(allowed)} allowed, {len(problems)} problems")
sys.exit(1 if problems else 0)
