#!/usr/bin/env python3
"""Build README.md from docs/README.in.md: run every `<!-- example -->`
console command with the debug binary and paste its real output, fill in
the rule table, the JSON format doc and the benchmark section.
tests/readme.rs checks that README.md still matches what the binary prints.
Usage: cargo build && python3 scripts/update-readme.py"""
import os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "target", "debug", "obox-cli")
env = {k: v for k, v in os.environ.items() if not k.startswith(("OBOX_", "AWS_"))}
env["NO_COLOR"] = "1"


def run(cmd):
    assert cmd.startswith("obox-cli "), cmd
    out = subprocess.run(
        ["bash", "-c", 'obox-cli() { "$OBOX_BIN" "$@"; }; ' + cmd],
        cwd=root, env=dict(env, OBOX_BIN=binary), capture_output=True)
    return out.stdout.decode("utf-8", "replace")


text = open(os.path.join(root, "docs", "README.in.md")).read()


def example(m):
    cmd = m.group(1)
    out = run(cmd)
    # Four backticks: outputs may contain ``` themselves (rule docs).
    return "<!-- example -->\n````console\n$ " + cmd + "\n" + out + "````"


text = re.sub(r"<!-- example -->\n````console\n\$ (.*)\n````", example, text)
rules = run("obox-cli rule --all --markdown")
text = text.replace("<!-- rules:begin -->\n<!-- rules:end -->",
                    "<!-- rules:begin -->\n" + rules + "<!-- rules:end -->")
lint_json = open(os.path.join(root, "docs", "lint-json.md")).read().strip()
lint_json = re.sub(r"^## ", "### ", lint_json, flags=re.M)
text = text.replace("LINT_JSON_DOC", lint_json)
bench = open(os.path.join(root, "docs", "benchmarks.md")).read().strip()
text = text.replace("BENCHMARKS", bench)
open(os.path.join(root, "README.md"), "w").write(text)
