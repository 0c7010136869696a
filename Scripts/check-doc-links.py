#!/usr/bin/env python3
"""Checks the relative links of the repository's Markdown: every `[text](path)` and
`[text](path#anchor)` must name a file or folder that exists, and an anchor must match a
heading of the target file (GitHub's rule: lower case, punctuation dropped, spaces to hyphens).
Links with a scheme (https:, mailto:) are not checked. Fenced code blocks are skipped.
Usage: Scripts/check-doc-links.py [FILE.md ...]   (default: README.md, CHANGELOG.md and every
*.md under Docs/, Examples/, Fixtures/ and Sources/). Exit status 1 when a link is broken."""
import os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(path):
    """The lines of a Markdown file outside fenced code blocks."""
    fenced = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            if not fenced:
                yield number, line.rstrip("\n")


def slug(heading):
    text = re.sub(r"`|\*\*|\[|\]\([^)]*\)", "", heading).strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path):
    seen, found = {}, set()
    for _, line in prose_lines(path):
        m = HEADING.match(line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def default_files():
    files = [os.path.join(ROOT, f) for f in ("README.md", "CHANGELOG.md") if os.path.exists(os.path.join(ROOT, f))]
    for top in ("Docs", "Examples", "Fixtures", "Sources"):
        for folder, dirs, names in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d != ".build"]
            files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".md")]
    return files


def main(files):
    broken = 0
    for path in files:
        for number, line in prose_lines(path):
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue
                file_part, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
                where = f"{os.path.relpath(path, ROOT)}:{number}"
                if not os.path.exists(resolved):
                    print(f"{where}: no such file: {target}")
                    broken += 1
                elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                    print(f"{where}: no heading for #{anchor} in {os.path.relpath(resolved, ROOT)}")
                    broken += 1
    print(f"checked {len(files)} files: {broken} broken links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main([os.path.abspath(f) for f in sys.argv[1:]] or default_files()))
