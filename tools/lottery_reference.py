#!/usr/bin/env python3
"""Independent re-implementation of catchment's public lottery
(catchment-lottery/1), written from the specification in docs/lottery.md,
NOT from the Rust code. Python 3.8+, standard library only (hashlib, json).

Usage:
    python3 tools/lottery_reference.py vectors [docs/lottery.md]
        recompute every test vector in the document (the ```json blocks
        after "### Vector"), print each value, exit 0 only if all match.
    python3 tools/lottery_reference.py verify DIR
        recompute a published lottery folder (applicants.csv,
        lottery_audit.json, lottery_result.csv): exit 0 only if the
        commitment, the seed, the result bytes and the result hash match.
    python3 tools/lottery_reference.py draw APPLICANTS.csv SCHOOL=N[,..]
            PUBLIC_ENTROPY [NOTARY] [--priority first|ignore]
            [--group-overflow skip|admit]
        print the result CSV of a canonical applicant list.
"""

import hashlib
import json
import re
import sys

ALGORITHM = "catchment-lottery/1"
APPLICANTS_HEADER = "applicant_id,school_id,multiple_birth_group,priority"
RESULT_HEADER = "school_id,rank,applicant_id,multiple_birth_group,admitted"


def sha256(b):
    return hashlib.sha256(b).digest()


def enc(b):
    """Length-prefixed bytes: 8-byte big-endian length, then the bytes."""
    return len(b).to_bytes(8, "big") + b


def derive_seed(commitment_hex, public_entropy, notary):
    return sha256(
        enc((ALGORITHM + " seed").encode())
        + enc(commitment_hex.encode("ascii"))
        + enc(public_entropy.encode("utf-8"))
        + enc(notary.encode("utf-8"))
    )


def school_key(seed, school_id):
    return sha256(
        enc((ALGORITHM + " school").encode()) + enc(seed) + enc(school_id.encode("utf-8"))
    )


class Stream:
    """SHA-256 in counter mode, read as 8-byte big-endian words."""

    def __init__(self, key):
        self.key = key
        self.counter = 0
        self.buf = b""

    def next_u64(self):
        if not self.buf:
            self.buf = sha256(self.key + self.counter.to_bytes(8, "big"))
            self.counter += 1
        word, self.buf = self.buf[:8], self.buf[8:]
        return int.from_bytes(word, "big")

    def below(self, n):
        """Uniform in range(n) by rejection: no modulo bias."""
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            x = self.next_u64()
            if x < limit:
                return x % n

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = self.below(i + 1)
            a[i], a[j] = a[j], a[i]


def utf8_key(s):
    return s.encode("utf-8")


def parse_canonical(text):
    """The rows of a canonical applicants.csv; raises ValueError otherwise."""
    if not text.endswith("\n") or "\r" in text or text.startswith("\ufeff"):
        raise ValueError("not canonical: LF line ends, final LF, no BOM")
    lines = text[:-1].split("\n")
    if lines[0] != APPLICANTS_HEADER:
        raise ValueError("not canonical: header %r" % lines[0])
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        f = line.split(",")
        if len(f) != 4 or not f[0] or not f[1]:
            raise ValueError("line %d: expected 4 fields with id and school" % n)
        for v in f:
            if v != v.strip() or '"' in v or any(ord(c) < 32 or ord(c) == 127 for c in v):
                raise ValueError("line %d: value %r is not canonical" % (n, v))
        rows.append(tuple(f))
    keys = [(utf8_key(r[1]), utf8_key(r[0])) for r in rows]
    if keys != sorted(keys):
        raise ValueError("not canonical: rows not sorted by school, then applicant id")
    ids = [r[0] for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("an applicant id appears twice")
    return rows


def tickets_by_school(rows):
    """school -> list of tickets (members, group, priority?)."""
    schools = {}
    groups = {}
    for applicant, school, group, priority in rows:
        tickets = schools.setdefault(school, [])
        if not group:
            tickets.append({"members": [applicant], "group": "", "priority": priority != ""})
        elif group in groups:
            g_school, g_priority, t = groups[group]
            if g_school != school or g_priority != priority:
                raise ValueError("group %r spans schools or priorities" % group)
            t["members"].append(applicant)
        else:
            t = {"members": [applicant], "group": group, "priority": priority != ""}
            groups[group] = (school, priority, t)
            tickets.append(t)
    return schools


def draw_school(school_id, tickets, seats, seed, priority="first", overflow="skip"):
    """[(rank, ticket, admitted)] of one school."""
    ts = []
    for t in tickets:
        ts.append(dict(t, members=sorted(t["members"], key=utf8_key)))
    ts.sort(key=lambda t: utf8_key(t["members"][0]))
    if priority == "first":
        tiers = [[t for t in ts if t["priority"]], [t for t in ts if not t["priority"]]]
    else:
        tiers = [ts]
    stream = Stream(school_key(seed, school_id))
    ranking = []
    for tier in tiers:
        stream.shuffle(tier)
        ranking.extend(tier)
    left = seats
    out = []
    for rank, t in enumerate(ranking, start=1):
        k = len(t["members"])
        if left == 0:
            admitted = False
        elif k <= left:
            admitted, left = True, left - k
        elif overflow == "admit":
            admitted, left = True, 0
        else:
            admitted = False
        out.append((rank, t, admitted))
    return out


def result_csv(rows, seats, seed, priority="first", overflow="skip"):
    schools = tickets_by_school(rows)
    for s in schools:
        if s not in seats:
            raise ValueError("no seats for school %s" % s)
    lines = [RESULT_HEADER]
    for school in sorted(seats, key=utf8_key):
        for rank, t, admitted in draw_school(
            school, schools.get(school, []), seats[school], seed, priority, overflow
        ):
            for m in t["members"]:
                lines.append(
                    "%s,%d,%s,%s,%s" % (school, rank, m, t["group"], "true" if admitted else "false")
                )
    return ("\n".join(lines) + "\n").encode("utf-8")


def check(label, got, want):
    ok = got == want
    if ok:
        shown = got
        if isinstance(got, str) and "\n" in got:
            shown = "%d lines, as expected" % got.count("\n")
        print("ok   %s: %s" % (label, shown))
    else:
        print("FAIL %s: %r, expected %r" % (label, got, want))
    return ok


def run_vector(v):
    ok = True
    data = v["applicants_csv"].encode("utf-8")
    rows = parse_canonical(v["applicants_csv"])
    commitment = hashlib.sha256(data).hexdigest()
    ok &= check("commitment", commitment, v["commitment"])
    seed = derive_seed(commitment, v["public_entropy"], v["notary"])
    ok &= check("seed", seed.hex(), v["seed"])
    for school, key in sorted(v["school_keys"].items()):
        k = school_key(seed, school)
        ok &= check("key " + school, k.hex(), key)
    for school, words in sorted(v.get("first_words", {}).items()):
        s = Stream(school_key(seed, school))
        ok &= check("first words " + school, [str(s.next_u64()) for _ in words], words)
    below = v.get("below")
    if below:
        s = Stream(school_key(seed, below["school"]))
        n = int(below["n"])
        got = [str(s.below(n)) for _ in below["values"]]
        ok &= check("below(%d) %s" % (n, below["school"]), got, below["values"])
        ok &= check("words read", s.counter * 4 - len(s.buf) // 8, below["words_read"])
    result = result_csv(rows, v["seats"], seed, v["priority"], v["group_overflow"])
    ok &= check("result", result.decode("utf-8"), v["result_csv"])
    ok &= check("result sha256", hashlib.sha256(result).hexdigest(), v["result_sha256"])
    return ok


def vectors(path):
    text = open(path, encoding="utf-8").read()
    # Each "### Vector" heading is followed by one ```json block.
    blocks = []
    for part in text.split("\n### Vector")[1:]:
        m = re.search(r"```json\n(.*?)\n```", part, re.S)
        if m:
            blocks.append(m.group(1))
    if not blocks:
        print("no test vectors found in %s" % path)
        return 1
    ok = True
    for block in blocks:
        v = json.loads(block)
        print("vector %s" % v["name"])
        ok &= run_vector(v)
    print("%d vectors: %s" % (len(blocks), "all match" if ok else "MISMATCH"))
    return 0 if ok else 1


def verify(folder):
    ok = True
    data = open(folder + "/applicants.csv", "rb").read()
    rows = parse_canonical(data.decode("utf-8"))
    audit = json.load(open(folder + "/lottery_audit.json", encoding="utf-8"))
    ok &= check("algorithm", audit["algorithm"], ALGORITHM)
    commitment = hashlib.sha256(data).hexdigest()
    ok &= check("commitment", commitment, audit["applicants_sha256"])
    si = audit["seed_inputs"]
    seed = derive_seed(commitment, si["public_entropy"], si["notary"])
    ok &= check("seed", seed.hex(), audit["seed"])
    for s in audit["schools"]:
        ok &= check("key " + s["school_id"], school_key(seed, s["school_id"]).hex(), s["key"])
    opts = audit["options"]
    result = result_csv(rows, audit["seats"], seed, opts["priority"], opts["group_overflow"])
    published = open(folder + "/lottery_result.csv", "rb").read()
    ok &= check("lottery_result.csv recomputes", result == published, True)
    ok &= check("result sha256", hashlib.sha256(published).hexdigest(), audit["result_sha256"])
    print("verified" if ok else "MISMATCH")
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "vectors":
        return vectors(argv[2] if len(argv) > 2 else "docs/lottery.md")
    if len(argv) == 3 and argv[1] == "verify":
        return verify(argv[2])
    if len(argv) >= 5 and argv[1] == "draw":
        args = argv[2:]
        priority, overflow = "first", "skip"
        if "--priority" in args:
            i = args.index("--priority")
            priority = args[i + 1]
            del args[i : i + 2]
        if "--group-overflow" in args:
            i = args.index("--group-overflow")
            overflow = args[i + 1]
            del args[i : i + 2]
        data = open(args[0], "rb").read()
        rows = parse_canonical(data.decode("utf-8"))
        seats = {}
        for item in args[1].split(","):
            school, n = item.split("=")
            seats[school] = int(n)
        notary = args[3] if len(args) > 3 else ""
        seed = derive_seed(hashlib.sha256(data).hexdigest(), args[2], notary)
        sys.stdout.write(result_csv(rows, seats, seed, priority, overflow).decode("utf-8"))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
