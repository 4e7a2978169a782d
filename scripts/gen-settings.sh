#!/bin/bash
# gen-settings.sh - derive Dovecot's setting table from the installed doveconf
# by experiment (no source code needed).
#
# Output (stdout): TSV  scope<TAB>key<TAB>type<TAB>default<TAB>values
# Diagnostics go to stderr.  Optional: GEN_SIDE_DIR=/some/dir also writes
#   local-remote-rejected.txt  (top-level keys refused inside local/remote)
#   hidden-keys.txt            (keys accepted but not listed by doveconf -a/-S)
#   service-defaults.tsv       (per built-in service defaults from doveconf -a)
#
# Method
#  1. candidate words = identifier-like runs found in the dovecot binaries and
#     libraries, plus their suffixes at '_' boundaries (string tail merging);
#  2. keys of a scope   = candidates that `doveconf PREFIX/word ...` prints
#     (unknown names are silently skipped by doveconf, so this is a bulk test);
#  3. section types     = candidates for which `word zzsec {` + `}` is accepted
#     in that scope without becoming a plain `word = zzsec` setting;
#  4. type              = error message for `key = zzq` (+ extra probes);
#  5. enum values       = colon lists found in the binaries whose items all
#     pass the probe, and whose first item is the default.
#
# Requires: bash, python3, doveconf (dovecot-core 2.3.x).  Runs in ~1-2 min.
set -euo pipefail
export LC_ALL=C
JOBS=${JOBS:-2}
exec python3 - "$JOBS" <<'PYEOF'
import os, re, sys, subprocess, tempfile, glob, shutil
from concurrent.futures import ThreadPoolExecutor

JOBS = int(sys.argv[1])
DOVECONF = shutil.which("doveconf") or "/usr/bin/doveconf"
TMP = tempfile.mkdtemp(prefix="gen-settings.")
SIDE = os.environ.get("GEN_SIDE_DIR")

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def run(text, args=("-n",)):
    fd, fn = tempfile.mkstemp(dir=TMP, suffix=".conf")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    r = subprocess.run([DOVECONF, "-c", fn] + list(args), capture_output=True,
                       text=True, errors="surrogateescape")
    os.unlink(fn)
    return r.stdout, r.stderr, r.returncode

def pmap(fn, items):
    with ThreadPoolExecutor(JOBS) as ex:
        return list(ex.map(fn, items))

def body(out):
    return [l for l in out.splitlines() if not l.startswith("# ")]

def fatal_line(err):
    for l in err.splitlines():
        if "Fatal: " in l:
            return l.split("Fatal: ", 1)[1]
    return ""

# ---------------------------------------------------------------- candidates
def binaries():
    fs = [DOVECONF, "/usr/sbin/dovecot", "/usr/bin/doveadm"]
    fs += glob.glob("/usr/lib/dovecot/*.so*")
    fs += glob.glob("/usr/lib/dovecot/modules/**/*.so", recursive=True)
    fs += [p for p in glob.glob("/usr/lib/dovecot/*")
           if os.path.isfile(p) and os.access(p, os.X_OK)]
    seen, res = set(), []
    for p in fs:
        rp = os.path.realpath(p)
        if rp not in seen and os.path.isfile(rp):
            seen.add(rp); res.append(rp)
    return res

def cstrings(path):
    data = open(path, "rb").read()
    return re.findall(rb"[\x20-\x7e]{2,}", data)

BINS = binaries()
ALLSTR = set()
for b in BINS:
    ALLSTR.update(s.decode() for s in cstrings(b))
CANDS = set()
for s in ALLSTR:
    for w in re.findall(r"[a-z][a-z0-9_]*", s):
        CANDS.add(w)
        for i, ch in enumerate(w):
            if ch == "_" and i + 1 < len(w) and w[i + 1].isalpha():
                CANDS.add(w[i + 1:])
CANDS = sorted(w for w in CANDS if 2 <= len(w) <= 64)
# words used to look for section types and hidden/obsolete keys: strings of
# doveconf itself and of the settings modules (setting tables live there)
SECSTR = set()
for b in BINS:
    if b == os.path.realpath(DOVECONF) or "/modules/settings/" in b:
        for s in cstrings(b):
            for w in re.findall(r"[a-z][a-z0-9_]*", s.decode()):
                SECSTR.add(w)
                for i, ch in enumerate(w):
                    if ch == "_" and i + 1 < len(w) and w[i + 1].isalpha():
                        SECSTR.add(w[i + 1:])
SECCANDS = sorted(w for w in SECSTR if 2 <= len(w) <= 64)
# nested section types: whole strings and their tails that start after a
# non-alphanumeric character (linker tail merging), fewer words
WHOLE = set()
for b in BINS:
    if b == os.path.realpath(DOVECONF) or "/modules/settings/" in b:
        for s in cstrings(b):
            s = s.decode()
            for i in range(len(s)):
                if i == 0 or not s[i - 1].isalnum():
                    if re.fullmatch(r"[a-z][a-z0-9_]{1,63}", s[i:]):
                        WHOLE.add(s[i:])
log("candidates: %d words, %d for section discovery" % (len(CANDS), len(SECCANDS)))

# ---------------------------------------------------------------- helpers
def wrap(opens, inner):
    return "".join(o + "\n" for o in opens) + inner + "}\n" * len(opens)

def bulk_lookup(opens, prefix, words):
    """return {key: value} for words that doveconf knows under prefix."""
    res = {}
    pat = re.compile(r"^" + re.escape(prefix) + r"([a-z0-9_]+) = (.*)$")
    chunks = [words[i:i + 3000] for i in range(0, len(words), 3000)]
    def one(ch):
        out, err, rc = run(wrap(opens, ""), [prefix + w for w in ch])
        r = {}
        for l in out.splitlines():
            m = pat.match(l)
            if m:
                r[m.group(1)] = m.group(2)
        return r
    for r in pmap(one, chunks):
        res.update(r)
    return res

def flat_ids(opens, prefix, typ):
    """ids of sections `typ` below prefix, from doveconf -S"""
    out, err, rc = run(wrap(opens, ""), ["-S"])
    ids = set()
    pat = re.compile(r"^" + re.escape(prefix + typ) + r"/([^/=]+)/")
    for l in out.splitlines():
        m = pat.match(l)
        if m:
            ids.add(m.group(1))
    return ids

# ---------------------------------------------------------------- scopes
FILTERS = []          # (name, sample argument)
STRLISTS = []         # (scope, name)
SECTIONS = []         # (scope, name, kind)
scopes = []           # (scope_path, opens, lookup_prefix)
rows = []

def discover_sections(scope, opens, known):
    words = [w for w in (SECCANDS if scope == "" else sorted(WHOLE)) if w not in known]
    def probe(w):
        out, err, rc = run(wrap(opens, "%s zzsec {\n}\n" % w))
        if "Unknown setting" in err or "Section not allowed" in err:
            return None
        b = body(out)
        if any(re.match(r"\s*%s = " % re.escape(w), l) for l in b) and \
           not any(re.match(r"\s*%s (zzsec )?\{" % re.escape(w), l) for l in b):
            return None   # plain setting set via section syntax
        f = fatal_line(err)
        if f.startswith("Error in configuration file") and " line " in f and \
           ("Invalid" in f or "Milliseconds" in f) and "gethostbyname" not in f:
            return None   # plain setting with a typed value
        return w
    return [w for w in pmap(probe, words) if w]

def classify_section(scope, opens, w):
    # filter?  (accepts a top-level setting inside)
    for arg in ("zzsec", "127.0.0.1"):
        out, err, rc = run(wrap(opens, "%s %s {\n  mail_debug = yes\n}\n" % (w, arg)))
        b = body(out)
        if "%s %s {" % (w, arg) in b and "  mail_debug = yes" in b:
            return "filter", arg
    out, err, rc = run(wrap(opens, "%s {\n  zz_free_key_1 = v\n}\n" % w))
    if not err.strip() or "Unknown setting" not in err:
        if any("zz_free_key_1 = v" in l for l in body(out)):
            return "strlist", None
    return "section", None

FILTER_NAMES = set()
OBS_SECTIONS = []     # (scope, name, warning)
HIDDEN = {}           # (scope, key) -> note

def plain_accepts(opens, w, val="zzsec"):
    """positive evidence that w is a plain setting in this scope"""
    out, err, rc = run(wrap(opens, "%s = %s\n" % (w, val)), ["-S"])
    f = fatal_line(err)
    ok = (val in out) or ("Obsolete setting" in err) or \
         (" line " in f and ("Invalid" in f or "Milliseconds" in f))
    return ok, out, err

def walk(scope, opens, prefix, depth):
    keys = bulk_lookup(opens, prefix, CANDS)
    log("scope %-24s %4d keys" % (scope or "(top)", len(keys)))
    scopes.append((scope, opens, prefix, keys))
    found = discover_sections(scope, opens, set(keys) | FILTER_NAMES)
    if scope == "":
        # obsolete / alias keys: accepted as plain settings, not listed
        extra = [w for w in SECCANDS if w not in keys and w not in found]
        acc = pmap(lambda w: plain_accepts(opens, w)[0], extra)
        found = sorted(set(found) | set(w for w, a in zip(extra, acc) if a))
    todo = []
    for w in found:
        ok, out, err = plain_accepts(opens, w)
        if ok:
            # a setting doveconf does not list (list key, alias, obsolete)
            m = re.search(r"Obsolete setting in [^:]*:\d+: (.*)", err)
            HIDDEN[(scope, w)] = ("obsolete: " + m.group(1)) if m else "hidden"
            continue
        out, err, rc = run(wrap(opens, "%s zzsec {\n}\n" % w))
        m = re.search(r"Obsolete setting in [^:]*:\d+: (.*)", err)
        if m:
            OBS_SECTIONS.append((scope, w, m.group(1)))
            continue
        kind, arg = classify_section(scope, opens, w) if scope == "" else ("section", None)
        if kind == "filter":
            FILTERS.append((w, arg)); FILTER_NAMES.add(w); continue
        if kind == "strlist":
            STRLISTS.append((scope, w)); continue
        todo.append(w)
    for w in todo:
        sub = (scope + "/" + w) if scope else w
        # named or numbered list?
        before = flat_ids(opens, prefix, w)
        nm = "zz%d" % depth
        after = flat_ids(opens + ["%s %s {" % (w, nm)], prefix, w)
        new = after - before
        if nm in new:
            # keyed by name (duplicates merge)
            SECTIONS.append((scope, w, "merge"))
            walk(sub, opens + ["%s %s {" % (w, nm)], prefix + w + "/" + nm + "/", depth + 1)
        else:
            after = flat_ids(opens + ["%s {" % w], prefix, w)
            new = sorted(after - before)
            if not new:
                log("WARNING: cannot locate new section %s in scope %s" % (w, scope)); continue
            SECTIONS.append((scope, w, "list"))
            walk(sub, opens + ["%s {" % w], prefix + w + "/" + new[0] + "/", depth + 1)

walk("", [], "", 0)

# ---------------------------------------------------------------- types
def probe_val(opens, key, val):
    out, err, rc = run(wrap(opens, "%s = %s\n" % (key, val)))
    f = fatal_line(err)
    m = re.match(r"Error in configuration file .* line \d+: (.*)", f)
    if m:
        return m.group(1)
    return None   # accepted (delayed check errors are not type errors)

def classify(args):
    scope, opens, key = args
    e = probe_val(opens, key, "zzq")
    if e is None or not e.startswith(("Invalid", "Milliseconds")):
        return "str"
    if e.startswith("Invalid boolean value"):
        return "bool"
    if e.startswith("Invalid size"):
        return "size"
    if e.startswith("Invalid port number"):
        return "port"
    if e.startswith("Invalid value"):
        return "enum"
    if e.startswith("Invalid time interval"):
        return "time" if probe_val(opens, key, "1500ms") else "time_msecs"
    if e.startswith("Invalid number"):
        # octal settings refuse 09 (leading 0 switches to base 8)
        return "octal" if probe_val(opens, key, "09") else "uint"
    return "str"

work = []
OPENS = {}
for scope, opens, prefix, keys in scopes:
    OPENS[scope] = opens
    for k in sorted(keys):
        work.append((scope, opens, k))
for (scope, k) in sorted(HIDDEN):
    work.append((scope, OPENS[scope], k))
types = dict(zip([(s, k) for s, o, k in work], pmap(classify, work)))

# ---------------------------------------------------------------- enums
COLON = set()
for s in ALLSTR:
    if ":" in s and re.fullmatch(r"[A-Za-z0-9_.+-]+(:[A-Za-z0-9_.+-]+)+", s):
        COLON.add(s)

def enum_values(scope, opens, key, default):
    cands = [c for c in COLON if c.split(":")[0] == default]
    best = None
    for c in sorted(cands, key=lambda c: -len(c.split(":"))):
        items = c.split(":")
        if len(set(items)) != len(items):
            continue
        if all(probe_val(opens, key, v) is None for v in items):
            best = c; break
    return best or ""

enums = {}
KEYS = {s: keys for s, o, p, keys in scopes}
ework = [(s, o, k) for s, o, k in work if types[(s, k)] == "enum" and k in KEYS[s]]
def do_enum(a):
    s, o, k = a
    return enum_values(s, o, k, KEYS[s][k])
for (s, o, k), v in zip(ework, pmap(do_enum, ework)):
    enums[(s, k)] = v

# ---------------------------------------------------------------- hidden keys
SAMPLE = {"bool": "yes", "uint": "7", "octal": "0700", "size": "7k",
          "time": "7s", "time_msecs": "7s", "port": "7", "str": "zzval7"}
def hidden_info(a):
    scope, k = a
    t = types[(scope, k)]
    v = SAMPLE.get(t)
    if v is None:
        return t, ""
    out, err, rc = run(wrap(OPENS[scope], "%s = %s\n" % (k, v)), ["-n"])
    for l in body(out):
        m = re.match(r"^\s*([a-z0-9_]+) = (.*)$", l)
        if m and m.group(1) != k and v.rstrip("k") in m.group(2):
            return "alias", m.group(1)
    return t, ""
HINFO = dict(zip(sorted(HIDDEN), pmap(hidden_info, sorted(HIDDEN))))

# ---------------------------------------------------------------- output
out = []
for scope, opens, prefix, keys in scopes:
    for k in sorted(keys):
        out.append((scope, k, types[(scope, k)], keys[k], enums.get((scope, k), "")))
for (scope, k), (t, target) in HINFO.items():
    if HIDDEN[(scope, k)].startswith("obsolete"):
        # values = doveconf's warning text (says what replaced the key)
        t, target = "obsolete", HIDDEN[(scope, k)][len("obsolete: "):]
        if k.endswith("_"):
            k = k + "*"     # prefix rule, e.g. mail_cache_compress_*
    out.append((scope, k, t, "", target))
for scope, w, kind in SECTIONS:
    out.append((scope, w, "section", "", kind))
for scope, w in STRLISTS:
    out.append((scope, w, "strlist", "", ""))
for scope, w, msg in OBS_SECTIONS:
    out.append((scope, w, "obsolete_section", "", ""))
for w, arg in FILTERS:
    out.append(("", w, "filter", "", ""))
out.sort(key=lambda r: (r[0], r[1]))
print("#scope\tkey\ttype\tdefault\tvalues")
for r in out:
    print("\t".join(r))

# ---------------------------------------------------------------- side data
if SIDE:
    os.makedirs(SIDE, exist_ok=True)
    def rej(k):
        d = KEYS[""][k]
        o, e, rc = run("local 127.0.0.1 {\n  %s = %s\n}\n" % (k, d))
        return "Auth settings not supported inside local/remote" in e
    tk = sorted(KEYS[""])
    with open(os.path.join(SIDE, "local-remote-rejected.txt"), "w") as f:
        for k, r in zip(tk, pmap(rej, tk)):
            if r:
                f.write(k + "\n")
    # keys not shown by -S / -a although doveconf KEY prints them,
    # plus keys that neither lists (section list keys, aliases, obsolete)
    o, e, rc = run("", ["-S"])
    shown = set(l.split("=", 1)[0] for l in o.splitlines() if "=" in l)
    with open(os.path.join(SIDE, "hidden-keys.txt"), "w") as f:
        f.write("#scope\tkey\tkind\n")
        for k in tk:
            if k not in shown:
                f.write("\t%s\tnot-in-a\n" % k)
        for (scope, k), (t, target) in sorted(HINFO.items()):
            kind = HIDDEN[(scope, k)]
            if t == "alias":
                kind = "alias-of:" + target
            f.write("%s\t%s\t%s\n" % (scope, k, kind))
        for scope, w, msg in OBS_SECTIONS:
            f.write("%s\t%s\tobsolete-section: %s\n" % (scope, w, msg))
    # defaults of built-in services
    o, e, rc = run("", ["-a"])
    with open(os.path.join(SIDE, "service-defaults.tsv"), "w") as f:
        f.write("#service\tpath\tkey\tvalue\n")
        stack = []
        for l in o.splitlines():
            if l.startswith("#"):
                continue
            m = re.match(r"^(\s*)(\S+) (\S+) \{$", l)
            if m:
                stack.append((m.group(2), m.group(3))); continue
            if l.strip() == "}":
                if stack: stack.pop()
                continue
            if stack and stack[0][0] == "service":
                m = re.match(r"^\s*([a-z0-9_]+) = (.*)$", l)
                if m:
                    sub = "/".join("%s/%s" % x for x in stack[1:])
                    f.write("%s\t%s\t%s\t%s\n" % (stack[0][1], sub, m.group(1), m.group(2)))
shutil.rmtree(TMP, ignore_errors=True)
PYEOF
