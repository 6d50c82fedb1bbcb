"""Exact reference for leadqual.attribute_paths, written apart from the C code.

Every number is a fractions.Fraction: the path set is read exactly (integers
or decimals), the order-k Markov chain is built as the attribution contract
says and its absorbing system is solved by exact Gaussian elimination, so
the reference has no rounding error at all; only the final printing turns
the fractions into floats.  The heuristics (first_touch, last_touch,
linear, position_based, shapley) are computed the same way.

Usage (standard library only, /usr/bin/python3):
  markov_ref.py attribute FILE [--method markov] [--order K]
      FILE: JSON lines {"path": [...], "conversions": ..., "revenue": ...,
      "nulls": ...} (numbers as JSON numbers or strings, read exactly), or
      CSV with a header path,conversions,revenue,nulls where path is
      "A > B > C" (ChannelAttribution's format).  Prints one CSV line per
      channel (byte order): channel,removal_effect,conversions,revenue.
  markov_ref.py generate --seed S [--channels N] [--paths N] [--max-len N]
      A deterministic path set with loops (A>B>A>C, A>A, repeats), JSON lines.
  markov_ref.py self-test
      Hand-computed cases, the sparse solver against a dense one, the flow
      identities of the unremoved chain, the generator's determinism.
  markov_ref.py check --work DIR
      Used by test/attribution/run.sh inside a cluster (libpq environment
      set, leadqual created): generates the suite, loads it, runs
      attribute_paths, compares every channel; exit 1 on any mismatch.

The chain (contract, SPEC section 6): the states of a path are its windows of
k consecutive channels (a path shorter than k is one state, the whole path);
consecutive identical states are collapsed; each row adds its weight
conversions + nulls to start -> s1 -> ... -> sn, then its conversions to
sn -> CONV and its nulls to sn -> NULL.  Transition probabilities are the
weights divided by the state's total outgoing weight.  P = probability of
CONV from start.  Removing channel c sends every state containing c to
NULL: RE_c = 1 - P_c / P.  The value chain is the same chain where each
state's transition to CONV pays that state's mean conversion value
(sum of revenue / sum of conversions of the rows ending in it); V = the
expected value from start, VRE_c = 1 - V_c / V.  Credit: conversions_c =
total conversions * RE_c / sum RE, revenue_c = total revenue * VRE_c / sum VRE.

Two things a reader may expect the comparison to tell apart and it cannot:
collapsing identical consecutive states only removes self loops, which do
not change any absorption probability (x_s = p_ss x_s + r_s gives the same
x_s as the chain without the loop); and any way of keeping a short path's
single state apart from the windows is the same chain.  What it does tell
apart (checked by changing this file on purpose): collapsing channels
before windowing, ignoring nulls, removing only the states a channel
starts, sharing revenue by RE instead of VRE.  A channel seen only in
non-converting rows has a removal effect 0 only when its states cannot
reach CONV: at order 1, A>B (1 conversion) and A>Z>B (1 null) give
RE_Z = 1/2 (set "null-only middle").
"""
import argparse
import csv
import heapq
import io
import json
import os
import random
import subprocess
import sys
import time
from fractions import Fraction

class _Start:
    """The start state: an object of its own, so no channel name can be it."""
    __slots__ = ()

    def __repr__(self):
        return "<start>"

    def __contains__(self, channel):
        return False


START = _Start()
ZERO = Fraction(0)
ONE = Fraction(1)

MARKOV = "markov"
HEURISTICS = ("first_touch", "last_touch", "linear", "position_based", "shapley")


# ---------------------------------------------------------------- input

def exact(value):
    """An exact Fraction from an int, a decimal string or a JSON number's text."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a count")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        raise ValueError("floats are not exact: give %r as a string" % value)
    f = Fraction(str(value).strip())
    return f


class Row:
    """One path-table row: a distinct path and its counts, all exact."""
    __slots__ = ("path", "conversions", "revenue", "nulls")

    def __init__(self, path, conversions, revenue, nulls=0):
        if not path:
            raise ValueError("empty path")
        self.path = tuple(str(c) for c in path)
        self.conversions = exact(conversions)
        self.revenue = exact(revenue)
        self.nulls = exact(nulls)
        for name in ("conversions", "revenue", "nulls"):
            if getattr(self, name) < 0:
                raise ValueError("negative %s in %r" % (name, self.path))

    def as_json(self):
        return json.dumps({"path": list(self.path), "conversions": self.decimal_text(self.conversions),
                           "revenue": self.decimal_text(self.revenue),
                           "nulls": self.decimal_text(self.nulls)}, ensure_ascii=False)

    @staticmethod
    def decimal_text(f):
        """The exact decimal text of a Fraction with a finite decimal form."""
        places = 0
        while (f * 10 ** places).denominator != 1:
            places += 1
            if places > 40:
                raise ValueError("%s has no finite decimal form" % f)
        if places == 0:
            return str(f.numerator)
        scaled = abs((f * 10 ** places).numerator)
        s = str(scaled).rjust(places + 1, "0")
        return ("-" if f < 0 else "") + s[:-places] + "." + s[-places:]


def read_rows(text):
    """Rows from JSON lines or from ChannelAttribution-style CSV."""
    stripped = text.lstrip()
    rows = []
    if stripped.startswith("{"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            obj = json.loads(line, parse_float=Fraction, parse_int=Fraction)
            rows.append(Row(obj["path"], obj.get("conversions", 0), obj.get("revenue", 0),
                            obj.get("nulls", 0)))
        return rows
    reader = csv.DictReader(io.StringIO(text))
    for rec in reader:
        path = [c.strip() for c in rec["path"].split(">")]
        rows.append(Row(path, rec.get("conversions") or 0, rec.get("revenue") or 0,
                        rec.get("nulls") or 0))
    return rows


def channels_of(rows):
    """Every channel of every row, in byte order (strcmp on UTF-8)."""
    return sorted({c for r in rows for c in r.path}, key=lambda c: c.encode("utf-8"))


# ---------------------------------------------------------------- the chain

def states_of(path, k):
    """The collapsed order-k states of a path (contract: windows of k, a path
    shorter than k is one state, consecutive identical states collapsed)."""
    if len(path) < k:
        windows = [tuple(path)]
    else:
        windows = [tuple(path[i:i + k]) for i in range(len(path) - k + 1)]
    states = []
    for w in windows:
        if not states or states[-1] != w:
            states.append(w)
    return states


class Chain:
    """Transition weights of the order-k chain of a path set.

    out[s][t]: weight from s to transient state t; conv[s], rev[s], null[s]:
    the conversions, revenue and nulls of the rows ending in s.  Rows of
    weight 0 add nothing (their channels still count as channels)."""

    def __init__(self, rows, k):
        self.k = k
        self.out = {START: {}}
        self.conv = {}
        self.rev = {}
        self.null = {}
        for r in rows:
            w = r.conversions + r.nulls
            if w == 0:
                continue
            prev = START
            for s in states_of(r.path, k):
                self.out.setdefault(s, {})
                self.out[prev][s] = self.out[prev].get(s, ZERO) + w
                prev = s
            self.conv[prev] = self.conv.get(prev, ZERO) + r.conversions
            self.rev[prev] = self.rev.get(prev, ZERO) + r.revenue
            self.null[prev] = self.null.get(prev, ZERO) + r.nulls

    def total_out(self, s):
        return sum(self.out[s].values(), ZERO) + self.conv.get(s, ZERO) + self.null.get(s, ZERO)

    def system(self, removed=None):
        """The absorbing system x_s = sum_t q[s][t] x_t + b_s for the
        probability of conversion (bp) and the expected value (bv), with
        every state containing channel `removed` sent to NULL (dropped:
        its x is 0)."""
        keep = [s for s in self.out if removed is None or removed not in s]
        kept = set(keep)
        q, bp, bv = {}, {}, {}
        for s in keep:
            tot = self.total_out(s)
            if tot == 0:            # only start, when every row has weight 0
                q[s], bp[s], bv[s] = {}, ZERO, ZERO
                continue
            q[s] = {t: w / tot for t, w in self.out[s].items() if t in kept}
            c = self.conv.get(s, ZERO)
            pc = c / tot
            bp[s] = pc
            # mean value of the conversions ending in s; a state without
            # conversions has no CONV transition, so its value term is 0
            bv[s] = pc * (self.rev[s] / c) if c else ZERO
        return q, bp, bv


def solve_sparse(q, bs, target=START):
    """x[target] of x = q x + b (for each b in bs), exactly, by Gaussian
    elimination of every other unknown (greedy: fewest predecessors times
    successors first).  Returns a list, one value per b."""
    row = {s: dict(t) for s, t in q.items()}
    b = [dict(v) for v in bs]
    pred = {s: set() for s in row}
    for s, ts in row.items():
        for t in ts:
            pred[t].add(s)

    def cost(v):
        return len(pred[v]) * len(row[v])

    heap = [(cost(v), repr(v), v) for v in row if v != target]
    heapq.heapify(heap)
    done = set()
    while heap:
        c, _, v = heapq.heappop(heap)
        if v in done:
            continue
        if c != cost(v):
            heapq.heappush(heap, (cost(v), repr(v), v))
            continue
        # x_v = (sum_{t != v} q_vt x_t + b_v) / (1 - q_vv)
        self_loop = row[v].pop(v, ZERO)
        pred[v].discard(v)
        if self_loop:
            scale = ONE / (ONE - self_loop)     # < 1 always: every state reaches an absorbing one
            for t in row[v]:
                row[v][t] *= scale
            for bb in b:
                bb[v] *= scale
        touched = set()
        for u in pred[v]:
            cu = row[u].pop(v)
            for t, p in row[v].items():
                row[u][t] = row[u].get(t, ZERO) + cu * p
                pred[t].add(u)
            for bb in b:
                bb[u] += cu * bb[v]
            touched.add(u)
        for t in row[v]:
            pred[t].discard(v)
            touched.add(t)
        done.add(v)
        del row[v]
        for u in touched:
            if u != target and u not in done:
                heapq.heappush(heap, (cost(u), repr(u), u))
    if target not in row:
        return [ZERO for _ in bs]
    # every other unknown is gone: row[target] holds at most a self loop
    loop = row[target].get(target, ZERO)
    assert set(row[target]) <= {target}, row[target]
    return [bb[target] / (ONE - loop) for bb in b]


def solve_dense(q, bs, target=START):
    """The same system by plain Gauss-Jordan on the full matrix (I - Q):
    a second, simple solver the self-test checks the sparse one against."""
    names = sorted(q, key=repr)
    idx = {s: i for i, s in enumerate(names)}
    n = len(names)
    a = [[ZERO] * n + [bb[s] for bb in bs] for s in names]
    for s in names:
        i = idx[s]
        a[i][i] += ONE
        for t, p in q[s].items():
            a[i][idx[t]] -= p
    for col in range(n):
        piv = next(r for r in range(col, n) if a[r][col] != 0)
        a[col], a[piv] = a[piv], a[col]
        inv = ONE / a[col][col]
        a[col] = [x * inv for x in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return [a[idx[target]][n + j] for j in range(len(bs))]


class Credit:
    """One channel's exact result."""
    __slots__ = ("channel", "removal_effect", "conversions", "revenue")

    def __init__(self, channel, removal_effect, conversions, revenue):
        self.channel = channel
        self.removal_effect = removal_effect      # None except for markov
        self.conversions = conversions
        self.revenue = revenue


def markov(rows, k, solver=solve_sparse):
    """Exact order-k Markov credit of a path set (one Credit per channel)."""
    chans = channels_of(rows)
    chain = Chain(rows, k)
    total_conv = sum((r.conversions for r in rows), ZERO)
    total_rev = sum((r.revenue for r in rows), ZERO)
    q, bp, bv = chain.system()
    p, v = solver(q, [bp, bv])
    if p == 0:
        return [Credit(c, ZERO, ZERO, ZERO) for c in chans]
    re, vre = {}, {}
    for c in chans:
        qc, bpc, bvc = chain.system(removed=c)
        pc, vc = solver(qc, [bpc, bvc])
        re[c] = ONE - pc / p
        vre[c] = ONE - vc / v if v else ZERO
    sre = sum(re.values(), ZERO)
    svre = sum(vre.values(), ZERO)
    out = []
    for c in chans:
        conv = total_conv * re[c] / sre
        rev = total_rev * vre[c] / svre if total_rev and svre else ZERO
        out.append(Credit(c, re[c], conv, rev))
    return out


def touch_weights(method, path):
    """The heuristic weights of a path's touches (one per touch, sum 1)."""
    n = len(path)
    if method == "first_touch":
        return [ONE] + [ZERO] * (n - 1)
    if method == "last_touch":
        return [ZERO] * (n - 1) + [ONE]
    if method == "linear":
        return [Fraction(1, n)] * n
    if method == "position_based":
        if n == 1:
            return [ONE]
        if n == 2:
            return [Fraction(1, 2)] * 2
        mid = Fraction(1, 5) / (n - 2)
        return [Fraction(2, 5)] + [mid] * (n - 2) + [Fraction(2, 5)]
    if method == "shapley":
        distinct = set(path)
        seen, w = set(), []
        for c in path:       # one 1/|distinct| per distinct channel, on its first touch
            w.append(ZERO if c in seen else Fraction(1, len(distinct)))
            seen.add(c)
        return w
    raise ValueError("unknown method %s" % method)


def heuristic(rows, method):
    """Exact heuristic credit: weight_i x conversions and x revenue per touch."""
    chans = channels_of(rows)
    conv = {c: ZERO for c in chans}
    rev = {c: ZERO for c in chans}
    for r in rows:
        if r.conversions == 0:
            continue
        for c, w in zip(r.path, touch_weights(method, r.path)):
            conv[c] += w * r.conversions
            rev[c] += w * r.revenue
    return [Credit(c, None, conv[c], rev[c]) for c in chans]


def attribute(rows, method, k=1):
    if method == MARKOV:
        return markov(rows, k)
    return heuristic(rows, method)


# ---------------------------------------------------------------- generator

NAME_POOL = ["Email", "email", "Paid Search", "Organic", "Social", "Display", "Referral",
             "Direct", "Webinar", "Events", "Partner", "Affiliate", "Retargeting", "Video",
             "Podcast", "Print", "SMS", "Push", "Review sites", "Comparison"]
# names a path literal must quote: a comma, a quote, a backslash, braces, a ">",
# non-ASCII (byte order puts it after every ASCII name)
ODD_NAMES = ['a,b', 'say "hi"', 'back\\slash', '{brace}', 'x > y', 'caf\u00e9', 'Zeta \u00fcber']


def channel_names(n, rng, odd):
    names = NAME_POOL[:]
    i = 0
    while len(names) < n:
        names.append("ch%02d" % i)
        i += 1
    names = names[:n]
    if odd:
        for j, o in enumerate(rng.sample(ODD_NAMES, min(len(ODD_NAMES), max(1, n // 4)))):
            names[-1 - j] = o
    return names


def gen_path(rng, names, weights, max_len):
    """A path with loops: repeats (A>A), returns to an earlier channel (A>B>A)."""
    length = min(max_len, 1 + int(rng.expovariate(1 / 3.0)))
    p = []
    while len(p) < length:
        r = rng.random()
        if p and r < 0.15:
            p.append(p[-1])                        # A>A
        elif len(p) >= 2 and r < 0.40:
            p.append(rng.choice(p[:-1]))           # back to an earlier channel
        else:
            p.append(rng.choices(names, weights)[0])
    return p


def gen_amount(rng, choices_int, decimals):
    if rng.random() < 0.12:
        return Fraction(rng.choice(decimals))
    return Fraction(rng.choice(choices_int))


def generate(seed, n_channels=8, n_paths=60, max_len=7, odd=True):
    """A deterministic path set: distinct paths with loops, integer and
    decimal conversions and nulls, revenue only where there are conversions,
    and one channel seen only in a non-converting path."""
    rng = random.Random(seed)
    names = channel_names(n_channels, rng, odd)
    weights = [1 / (i + 1) ** 0.9 for i in range(len(names))]
    rng.shuffle(weights)
    rows, seen = [], set()
    attempts = 0
    while len(rows) < n_paths and attempts < 50 * n_paths:
        attempts += 1
        p = tuple(gen_path(rng, names, weights, max_len))
        if p in seen:
            continue
        seen.add(p)
        conv = ZERO if rng.random() < 0.35 else gen_amount(rng, range(1, 6), ["0.5", "0.25", "1.75", "2.2"])
        nulls = ZERO if rng.random() < 0.2 else gen_amount(rng, range(1, 31), ["3.5", "0.75", "12.125"])
        rev = ZERO
        if conv and rng.random() < 0.9:
            rev = Fraction(rng.randint(1, 900000), 100)
        rows.append(Row(p, conv, rev, nulls))
    # a channel only in non-converting paths, always their last touch: its
    # states lead only to NULL, so its removal effect is 0 at every order
    only_null = "zz only null"
    rows.append(Row((rng.choice(names), only_null), 0, 0, 4))
    rows.append(Row((only_null,), 0, 0, 1))
    return rows


def edge_sets():
    """Small named sets for the edge cases of the contract."""
    R = Row
    return {
        # hand case 1 (self-test computes it by hand)
        "hand A>B": [R("AB", 1, 10, 0), R("A", 0, 0, 1)],
        # hand case 2, a loop
        "hand loop": [R("ABAC", 1, 30, 0), R("B", 0, 0, 1)],
        # no conversion at all: P = 0, every credit and RE 0
        "p zero": [R("AB", 0, 0, 3), R("BCA", 0, 0, 2), R("C", 0, 0, 1)],
        # conversions but no revenue: every revenue 0
        "revenue zero": [R("ABA", 2, 0, 1), R("BC", 1, 0, 4), R("CAC", 3, 0, 0)],
        # every row of weight 0: no chain at all, the channels with 0
        "no weight": [R("AB", 0, 0, 0), R("C", 0, 0, 0)],
        # a channel only in a row of weight 0 (no conversions, no nulls)
        "weight zero": [R("AB", 2, 5, 1), R("AQ", 0, 0, 0), R("BB", 1, 7, 2)],
        # a channel only in a non-converting path, but between two channels
        # that convert elsewhere: at order 1 the chain lets A>Z>B convert
        # (removal effect 1/2, see the self-test); at order 2 it does not
        "null-only middle": [R("AB", 1, 10, 0), R("AZB", 0, 0, 1)],
        # one channel only, repeated: paths A, AA, AAA all collapse
        "one channel": [R("A", 1, 3, 1), R("AA", 2, 4, 0), R("AAA", 0, 0, 5)],
        # revisits at every order: short paths (one state), AAAB collapsing
        "short and long": [R("AAAB", 1, 2, 1), R("AB", 1, 1, 1), R("BAB", 2, 8, 0),
                           R("ABAB", 1, 5, 2), R("BA", 0, 0, 3), R("B", 1, 1, 1)],
        # fractional (decimal) counts, revenue concentrated on one state
        "decimals": [R("AB", "0.5", "12.5", "1.25"), R("BA", "2.75", "0", "0.125"),
                     R("ACB", "1.1", "99.99", "3.3"), R("CC", "0", "0", "7.5")],
    }


def suite():
    """(name, rows) of every set run.sh compares: the edge sets and
    generated sets with loops at several sizes and seeds."""
    sets = list(edge_sets().items())
    sizes = [(3, 12, 5), (5, 30, 6), (8, 60, 7), (10, 120, 7), (12, 200, 8),
             (16, 250, 9), (25, 400, 10), (40, 200, 6)]
    seed = 1
    for n_ch, n_paths, max_len in sizes:
        for rep in range(2):
            rows = generate(seed, n_ch, n_paths, max_len, odd=(rep == 1))
            sets.append(("gen seed=%d channels=%d paths=%d" % (seed, n_ch, len(rows)), rows))
            seed += 1
    return sets


# ---------------------------------------------------------------- self-test

def self_test():
    F = Fraction
    failures = []

    def expect(what, got, want):
        if got != want:
            failures.append("%s: got %s, want %s" % (what, got, want))

    def by_channel(credits):
        return {c.channel: c for c in credits}

    e = edge_sets()

    # Hand case 1, order 1: rows A>B conv 1 rev 10, A null 1.
    #   start->A 2; A->B 1, A->NULL 1; B->CONV 1.   P = 1 * 1/2 * 1 = 1/2.
    #   Without A or without B nothing converts: P_A = P_B = 0, RE_A = RE_B = 1.
    #   conversions 1 * 1/2 each; V = 1/2 * 10 = 5, V_A = V_B = 0: revenue 5 each.
    r = by_channel(markov(e["hand A>B"], 1))
    for c in "AB":
        expect("hand A>B RE_" + c, r[c].removal_effect, F(1))
        expect("hand A>B conv_" + c, r[c].conversions, F(1, 2))
        expect("hand A>B rev_" + c, r[c].revenue, F(5))

    # Hand case 2, order 1, a loop: A>B>A>C conv 1 rev 30, B null 1.
    #   start->A 1, start->B 1; A->B 1, A->C 1; B->A 1, B->NULL 1; C->CONV 1.
    #   x_C = 1, x_A = x_B/2 + 1/2, x_B = x_A/2  =>  x_A = 2/3, x_B = 1/3,
    #   P = (2/3 + 1/3)/2 = 1/2.
    #   no A: x_B = 0, P_A = 0, RE_A = 1.  no C: P_C = 0, RE_C = 1.
    #   no B: x_A = 1/2, P_B = 1/4, RE_B = 1/2.   sum RE = 5/2
    #   conversions: A 2/5, B 1/5, C 2/5; one converting state (C), so the
    #   value chain is 30 x the probability chain: revenue 12, 6, 12.
    r = by_channel(markov(e["hand loop"], 1))
    for c, re_, conv, rev in (("A", F(1), F(2, 5), F(12)), ("B", F(1, 2), F(1, 5), F(6)),
                              ("C", F(1), F(2, 5), F(12))):
        expect("hand loop RE_" + c, r[c].removal_effect, re_)
        expect("hand loop conv_" + c, r[c].conversions, conv)
        expect("hand loop rev_" + c, r[c].revenue, rev)
    # Same rows, order 2: states (A,B),(B,A),(A,C) and the short path's
    #   single state (B).  Every state of the converting row contains the
    #   channel removed, or the next one is removed too: each removal kills it.
    #   RE = 1 each, conversions 1/3 each, revenue 10 each.
    r = by_channel(markov(e["hand loop"], 2))
    for c in "ABC":
        expect("hand loop k2 RE_" + c, r[c].removal_effect, F(1))
        expect("hand loop k2 conv_" + c, r[c].conversions, F(1, 3))
        expect("hand loop k2 rev_" + c, r[c].revenue, F(10))

    # a channel may be called anything, even like the start state
    r = by_channel(markov([Row(["<start>", "B"], 1, 2, 1), Row(["<start>"], 0, 0, 1)], 1))
    expect("channel <start>", (r["<start>"].removal_effect, r["B"].removal_effect), (F(1), F(1)))

    # States: windows, the short path, collapsing
    expect("states A,A,B k1", states_of("AAB", 1), [("A",), ("B",)])
    expect("states A,A,B k2", states_of("AAB", 2), [("A", "A"), ("A", "B")])
    expect("states A,A,A k2", states_of("AAA", 2), [("A", "A")])
    expect("states A,B k3", states_of("AB", 3), [("A", "B")])
    expect("states A,B,A,B k2", states_of("ABAB", 2), [("A", "B"), ("B", "A"), ("A", "B")])

    # "one channel": rows A (1 conv, rev 3, 1 null), AA (2, 4, 0), AAA (0, 0, 5);
    #   order 1 all collapse to state A: P = 3/9, removing A leaves nothing:
    #   RE_A = 1, conversions 3, revenue 7.
    r = by_channel(markov(e["one channel"], 1))
    expect("one channel", (r["A"].removal_effect, r["A"].conversions, r["A"].revenue), (F(1), F(3), F(7)))

    # P = 0: every credit and removal effect 0
    for c in markov(e["p zero"], 1):
        expect("p zero " + c.channel, (c.removal_effect, c.conversions, c.revenue), (0, 0, 0))
    for c in markov(e["no weight"], 3):
        expect("no weight " + c.channel, (c.removal_effect, c.conversions, c.revenue), (0, 0, 0))
    expect("no weight channels", [c.channel for c in markov(e["no weight"], 1)], ["A", "B", "C"])
    # revenue 0: revenue 0, conversions still shared
    rz = markov(e["revenue zero"], 2)
    expect("revenue zero revenue", [c.revenue for c in rz], [0, 0, 0])
    expect("revenue zero conversions", sum(c.conversions for c in rz), F(6))
    # a channel only in a weight-0 row, one only in non-converting rows
    r = by_channel(markov(e["weight zero"], 1))
    expect("weight zero Q", (r["Q"].removal_effect, r["Q"].conversions, r["Q"].revenue), (0, 0, 0))
    for k in (1, 2, 3, 4):
        zz = by_channel(markov(generate(7, 6, 30, 6), k))["zz only null"]
        expect("only-null channel k=%d" % k, (zz.removal_effect, zz.conversions, zz.revenue), (0, 0, 0))
    # "null-only middle", order 1: rows A>B conv 1 rev 10, A>Z>B null 1.
    #   start->A 2; A->B 1, A->Z 1; Z->B 1; B->CONV 1, B->NULL 1.
    #   P = 1 * (1/2 + 1/2) * 1/2 = 1/2.  No A or no B: P = 0, RE 1.
    #   No Z: A->Z goes to NULL, P_Z = 1/2 * 1/2 = 1/4, RE_Z = 1/2 although Z
    #   is only in a non-converting row (the chain forgets where B came from).
    #   sum RE = 5/2: conversions A 2/5, B 2/5, Z 1/5; one converting state,
    #   so revenue = 10 x that: 4, 4, 2.
    #   Order 2: states (A,B) | (A,Z),(Z,B): Z's states never reach CONV, RE_Z = 0,
    #   RE_A = RE_B = 1: conversions 1/2, 1/2, 0, revenue 5, 5, 0.
    r = by_channel(markov(e["null-only middle"], 1))
    for c, re_, conv, rev in (("A", F(1), F(2, 5), F(4)), ("B", F(1), F(2, 5), F(4)),
                              ("Z", F(1, 2), F(1, 5), F(2))):
        expect("null-only middle k1 " + c, (r[c].removal_effect, r[c].conversions, r[c].revenue), (re_, conv, rev))
    r = by_channel(markov(e["null-only middle"], 2))
    for c, re_, conv, rev in (("A", F(1), F(1, 2), F(5)), ("B", F(1), F(1, 2), F(5)), ("Z", F(0), F(0), F(0))):
        expect("null-only middle k2 " + c, (r[c].removal_effect, r[c].conversions, r[c].revenue), (re_, conv, rev))

    # Heuristics by hand on "short and long" (AAAB 1, AB 1, BAB 2, ABAB 1, BA 0, B 1):
    #   linear A: AAAB 3/4, AB 1/2, BAB 2*1/3, ABAB 1/2 = 3/4+1/2+2/3+1/2 = 29/12
    #   position_based AAAB: 0.4, 0.1, 0.1, 0.4 -> A 0.6; AB 1/2; BAB 2*0.2 = 0.4; ABAB 0.4+0.1 = 0.5
    #     A = 0.6+0.5+0.4+0.5 = 2
    #   shapley: AAAB 1/2, AB 1/2, BAB 2*1/2, ABAB 1/2, B 0 -> A 5/2
    rows = e["short and long"]
    expect("linear A", by_channel(heuristic(rows, "linear"))["A"].conversions, F(29, 12))
    expect("position_based A", by_channel(heuristic(rows, "position_based"))["A"].conversions, F(2))
    expect("shapley A", by_channel(heuristic(rows, "shapley"))["A"].conversions, F(5, 2))
    #   first_touch A: AAAB, AB, ABAB = 3; last_touch: every converting row ends in B: A 0, B 6
    expect("first_touch A", by_channel(heuristic(rows, "first_touch"))["A"].conversions, F(3))
    lt = by_channel(heuristic(rows, "last_touch"))
    expect("last_touch A, B", (lt["A"].conversions, lt["B"].conversions), (F(0), F(6)))

    # Sparse elimination = dense Gauss-Jordan, exactly, on every small set and
    # order; the unremoved chain's flow identities P = total conversions /
    # total weight and V = total revenue / total weight (the expected visits of
    # a state are its flow over the start's flow).
    checked = 0
    small = [(n, rows) for n, rows in suite() if len(rows) <= 40]
    for name, rows in small:
        for k in (1, 2, 3, 4):
            chain = Chain(rows, k)
            for removed in [None] + channels_of(rows):
                q, bp, bv = chain.system(removed)
                if solve_sparse(q, [bp, bv]) != solve_dense(q, [bp, bv]):
                    failures.append("sparse != dense: %s k=%d removed=%s" % (name, k, removed))
                checked += 1
            q, bp, bv = chain.system()
            p, v = solve_sparse(q, [bp, bv])
            w = sum((r.conversions + r.nulls for r in rows), ZERO)
            if w:
                expect("flow P %s k=%d" % (name, k), p, sum((r.conversions for r in rows), ZERO) / w)
                expect("flow V %s k=%d" % (name, k), v, sum((r.revenue for r in rows), ZERO) / w)
            credits = markov(rows, k)
            if p:
                expect("sum conversions %s k=%d" % (name, k), sum(c.conversions for c in credits),
                       sum((r.conversions for r in rows), ZERO))

    # the generator is deterministic, has loops, and its decimals survive JSON
    a = [x.as_json() for x in generate(3, 8, 60, 7)]
    b = [x.as_json() for x in generate(3, 8, 60, 7)]
    expect("generator deterministic", a == b, True)
    rows = generate(3, 8, 60, 7)
    expect("generator has A>A", any(p == q for r in rows for p, q in zip(r.path, r.path[1:])), True)
    expect("generator has A>B>A", any(len(set(r.path)) < len(r.path) and
                                      all(p != q for p, q in zip(r.path, r.path[1:])) for r in rows), True)
    back = read_rows("\n".join(a))
    expect("JSON round trip", [(r.path, r.conversions, r.revenue, r.nulls) for r in back],
           [(r.path, r.conversions, r.revenue, r.nulls) for r in rows])
    back = read_rows("path,conversions,revenue,nulls\nA > B > A,1.5,10.25,2\nC,0,0,3\n")
    expect("CSV input", [(r.path, r.conversions, r.revenue, r.nulls) for r in back],
           [(("A", "B", "A"), F(3, 2), F(41, 4), F(2)), (("C",), F(0), F(0), F(3))])

    if failures:
        print("markov_ref self-test: FAILED")
        for f in failures:
            print("  " + f)
        return 1
    print("markov_ref self-test: ok (hand cases, %d sparse/dense solves, flow identities, generator)" % checked)
    return 0


# ---------------------------------------------------------------- check against the server

def pg_array(path):
    """A text[] literal of a path, every element quoted."""
    return "{" + ",".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in path) + "}"


def psql(args, stdin=None):
    res = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] + args, input=stdin,
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        raise SystemExit("attribution: psql failed")
    return res.stdout


def short(f):
    """A Fraction as n/d when that is short, else its size."""
    if f.numerator.bit_length() + f.denominator.bit_length() < 200:
        return str(f)
    return "a fraction of %d/%d bits" % (f.numerator.bit_length(), f.denominator.bit_length())


def fmt(x):
    return "NULL" if x is None else repr(x)


def check(work, max_report=60):
    t0 = time.time()
    sets = suite()
    load = os.path.join(work, "paths.csv")
    with open(load, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for i, (name, rows) in enumerate(sets):
            for r in rows:
                w.writerow([i, pg_array(r.path), Row.decimal_text(r.conversions),
                            Row.decimal_text(r.revenue), Row.decimal_text(r.nulls)])
    psql(["-c", "CREATE TABLE paths (set_id int, path text[], conversions float8, revenue float8, nulls float8)",
          "-c", "\\copy paths FROM '%s' WITH (FORMAT csv)" % load])
    # one query per call shape; ordinality checks the byte order of the result
    calls = [("markov", k, "leadqual.attribute_paths('markov', path, conversions, revenue, nulls, %d)" % k)
             for k in (1, 2, 3, 4)]
    calls.append(("markov", "5-arg", "leadqual.attribute_paths('markov', path, conversions, revenue, nulls)"))
    calls.append(("markov", "4-arg", "leadqual.attribute_paths('markov', path, conversions, revenue)"))
    for m in HEURISTICS:
        calls.append((m, None, "leadqual.attribute_paths('%s', path, conversions, revenue, nulls)" % m))
    sql = []
    for n, (m, k, call) in enumerate(calls):
        sql.append("SELECT %d, a.set_id, c.ord, c.channel, c.removal_effect, c.conversions, c.revenue "
                   "FROM (SELECT set_id, %s AS r FROM paths GROUP BY set_id) a "
                   "CROSS JOIN LATERAL unnest(a.r) WITH ORDINALITY AS c(channel, conversions, revenue, "
                   "removal_effect, ord)" % (n, call))
    t_db = time.time()
    out = psql(["--csv", "-t", "-c", " UNION ALL ".join(sql) + " ORDER BY 1, 2, 3"])
    t_db = time.time() - t_db
    got = {}
    for rec in csv.reader(io.StringIO(out)):
        n, sid, ordn = int(rec[0]), int(rec[1]), int(rec[2])
        vals = [None if x == "" else float(x) for x in rec[4:7]]
        got.setdefault((n, sid), []).append((ordn, rec[3], vals))

    t_ref = time.time()
    mismatches, compared, max_rel = [], 0, 0.0
    per_order_time = {}
    cache = {}
    for n, (m, k, _) in enumerate(calls):
        for sid, (name, rows) in enumerate(sets):
            t1 = time.time()
            if m == MARKOV:
                # the 5-argument overload is order 1; the 4-argument one also has nulls 0
                key = (sid, 1 if k in ("5-arg", "4-arg") else k, k == "4-arg")
                if key not in cache:
                    src = [Row(r.path, r.conversions, r.revenue, 0) for r in rows] if key[2] else rows
                    cache[key] = markov(src, key[1])
                ref = cache[key]
            else:
                ref = heuristic(rows, m)
            per_order_time[(m, k)] = per_order_time.get((m, k), 0.0) + time.time() - t1
            how = m if k is None else ("markov order %d" % k if isinstance(k, int) else "markov " + k)
            label = "%s, set %d (%s)" % (how, sid, name)
            res = sorted(got.get((n, sid), []))
            res_names = [x[1] for x in res]
            ref_names = [c.channel for c in ref]
            if res_names != ref_names:
                mismatches.append("%s: channels differ\n    server: %r\n    reference: %r" %
                                  (label, res_names, ref_names))
                continue
            for (_, ch, vals), c in zip(res, ref):
                want = [None if c.removal_effect is None else float(c.removal_effect),
                        float(c.conversions), float(c.revenue)]
                for col, g, wv in zip(("removal_effect", "conversions", "revenue"), vals, want):
                    compared += 1
                    if g is None or wv is None:
                        if g is not wv:
                            mismatches.append("%s: channel %r %s: server %s, reference %s" %
                                              (label, ch, col, fmt(g), fmt(wv)))
                        continue
                    diff = abs(g - wv)
                    rel = diff / abs(wv) if wv else (0.0 if diff == 0 else float("inf"))
                    if wv and abs(wv) > 1e-12:
                        max_rel = max(max_rel, rel)
                    if diff > 1e-12 and rel > 1e-9:
                        mismatches.append("%s: channel %r %s: server %r, reference %r (exact %s), rel %.3g" %
                                          (label, ch, col, g, wv, short(getattr(c, col)), rel))
    t_ref = time.time() - t_ref
    n_markov = sum(1 for m, k, _ in calls if m == MARKOV)
    if mismatches:
        print("attribution: FAILED: %d mismatch(es)" % len(mismatches))
        for x in mismatches[:max_report]:
            print("  " + x)
        if len(mismatches) > max_report:
            print("  ... %d more" % (len(mismatches) - max_report))
    timing = ", ".join("k=%s %.1fs" % (k, t) for (m, k), t in per_order_time.items() if m == MARKOV)
    print("attribution: %d path sets (%d rows), markov orders 1-4 + the 5- and 4-argument overloads "
          "and %d heuristics, %d values compared, max relative error %.3g; server %.2fs, "
          "exact reference %.1fs (%s), total %.1fs" %
          (len(sets), sum(len(r) for _, r in sets), len(calls) - n_markov, compared, max_rel,
           t_db, t_ref, timing, time.time() - t0))
    return 1 if mismatches else 0


# ---------------------------------------------------------------- main

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("attribute")
    a.add_argument("file")
    a.add_argument("--method", default=MARKOV, choices=(MARKOV,) + HEURISTICS)
    a.add_argument("--order", type=int, default=1)
    g = sub.add_parser("generate")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--channels", type=int, default=8)
    g.add_argument("--paths", type=int, default=60)
    g.add_argument("--max-len", type=int, default=7)
    sub.add_parser("self-test")
    c = sub.add_parser("check")
    c.add_argument("--work", required=True)
    c.add_argument("--max-report", type=int, default=60, help="mismatches printed at most")
    args = ap.parse_args(argv)

    if args.cmd == "attribute":
        if not 1 <= args.order <= 8:
            raise SystemExit("order must be 1..8")
        with open(args.file, encoding="utf-8") as f:
            rows = read_rows(f.read())
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["channel", "removal_effect", "conversions", "revenue"])
        for cr in attribute(rows, args.method, args.order):
            w.writerow([cr.channel, "" if cr.removal_effect is None else repr(float(cr.removal_effect)),
                        repr(float(cr.conversions)), repr(float(cr.revenue))])
        return 0
    if args.cmd == "generate":
        for r in generate(args.seed, args.channels, args.paths, args.max_len):
            print(r.as_json())
        return 0
    if args.cmd == "self-test":
        return self_test()
    return check(args.work, args.max_report)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
