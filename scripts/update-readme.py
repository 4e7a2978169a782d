#!/usr/bin/env python3
"""Build README.md from docs/README.in.md: run every `<!-- example -->`
console command with the debug binary and paste its real output, fill in
the rule table, the JSON format doc and the benchmark section.
tests/readme.rs checks that README.md still matches what the binary prints.
Needs s3s-fs on PATH for the object examples (see scripts/test-all.sh).
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


# The object commands' examples run, in order, against a real s3s-fs on a
# free port (the README says 127.0.0.1:8014); tests/readme.rs does the same.
def s3_examples(text):
    import shutil, socket, tempfile, time
    blocks = re.findall(r"<!-- s3-example -->\n````console\n\$ (.*)\n````", text)
    if not blocks:
        return text
    tmp = tempfile.mkdtemp(prefix="obox-readme-")
    os.makedirs(os.path.join(tmp, "s3", "mail"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen(
        ["s3s-fs", "--host", "127.0.0.1", "--port", str(port), "--access-key", "AK",
         "--secret-key", "SK", os.path.join(tmp, "s3")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        conf = os.path.join(tmp, "local-s3.conf")
        with open(os.path.join(root, "examples", "local-s3.conf")) as f:
            open(conf, "w").write(f.read().replace("127.0.0.1:8014", f"127.0.0.1:{port}"))
        outputs = {}
        for cmd in blocks:
            real = cmd.replace("127.0.0.1:8014", f"127.0.0.1:{port}").replace("examples/local-s3.conf", conf)
            out = run(real).replace(f"127.0.0.1:{port}", "127.0.0.1:8014").replace(conf, "examples/local-s3.conf")
            outputs.setdefault(cmd, []).append(out)

        def fill(m):
            return "<!-- s3-example -->\n````console\n$ " + m.group(1) + "\n" + outputs[m.group(1)].pop(0) + "````"
        return re.sub(r"<!-- s3-example -->\n````console\n\$ (.*)\n````", fill, text)
    finally:
        server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


text = s3_examples(text)
rules = run("obox-cli rule --list --markdown")
text = text.replace("<!-- rules:begin -->\n<!-- rules:end -->",
                    "<!-- rules:begin -->\n" + rules + "<!-- rules:end -->")
lint_json = open(os.path.join(root, "docs", "lint-json.md")).read().strip()
lint_json = re.sub(r"^## ", "### ", lint_json, flags=re.M)
text = text.replace("LINT_JSON_DOC", lint_json)
bench = open(os.path.join(root, "docs", "benchmarks.md")).read().strip()
text = text.replace("BENCHMARKS", bench)
open(os.path.join(root, "README.md"), "w").write(text)
