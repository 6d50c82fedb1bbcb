"""leadqual.path_counts byte streams for the hostile suite: parse a valid
state (as the aggregates write it) and write forged ones.

The stream (src/attribution/path_counts.c, pc_serialize), network byte
order: magic "LQPC", version 1, method, order; channel count, then per
channel its length and bytes; per channel four float8 (credit conversions
and revenue, each a compensated sum s + c); the totals (conversions,
revenue, non-converting journeys: six float8); state count, then per state
its length, that many channel ids and eight float8 (start, conv, rev,
null); transition count, then per transition from, to and two float8.

forgeries() derives from valid states copies that are each wrong in one
way (structure, counts, ids, duplicates, flows) and says for each what a
reader must answer: "22P03" (refused as invalid) or "ok" (a legal state).
"""
import copy
import math
import struct

MAGIC, VERSION = 0x4C515043, 1
MARKOV = 8
NAN, INF = float("nan"), float("inf")


class State:
    """One path_counts value, field by field (counts as [s, c] pairs)."""

    def __init__(self, data=None):
        self.method, self.order = 3, 0
        self.channels, self.credits, self.totals = [], [], [[0.0, 0.0]] * 3
        self.states, self.edges = [], []
        if data is not None:
            self._parse(data)

    def _parse(self, b):
        pos = 0

        def u32():
            nonlocal pos
            v = struct.unpack_from(">I", b, pos)[0]
            pos += 4
            return v

        def f64(n):
            nonlocal pos
            v = list(struct.unpack_from(f">{n}d", b, pos))
            pos += 8 * n
            return v

        magic, version, self.method, self.order = u32(), u32(), u32(), u32()
        assert (magic, version) == (MAGIC, VERSION), "not a path_counts stream"
        nch = u32()
        for _ in range(nch):
            n = u32()
            self.channels.append(b[pos:pos + n])
            pos += n
        self.credits = [f64(4) for _ in range(nch)]
        t = f64(6)
        self.totals = [t[0:2], t[2:4], t[4:6]]
        for _ in range(u32()):
            n = u32()
            key = [u32() for _ in range(n)]
            self.states.append((key, f64(8)))
        for _ in range(u32()):
            f, t_ = u32(), u32()
            self.edges.append([f, t_] + f64(2))
        assert pos == len(b), "trailing bytes in a valid state"

    def pack(self, nch=None, nst=None, ned=None, magic=MAGIC, version=VERSION):
        """The byte stream; nch, nst, ned override the counts written."""
        out = [struct.pack(">IIII", magic, version, self.method & 0xFFFFFFFF, self.order & 0xFFFFFFFF)]
        out.append(struct.pack(">I", (len(self.channels) if nch is None else nch) & 0xFFFFFFFF))
        for c in self.channels:
            if isinstance(c, tuple):        # (bytes, declared length)
                out.append(struct.pack(">I", c[1] & 0xFFFFFFFF) + c[0])
            else:
                out.append(struct.pack(">I", len(c)) + c)
        for cr in self.credits:
            out.append(struct.pack(">4d", *cr))
        out.append(struct.pack(">6d", *(self.totals[0] + self.totals[1] + self.totals[2])))
        out.append(struct.pack(">I", (len(self.states) if nst is None else nst) & 0xFFFFFFFF))
        for key, counts in self.states:
            out.append(struct.pack(">I", (len(key) if not isinstance(key, tuple) else key[1]) & 0xFFFFFFFF))
            key = key[0] if isinstance(key, tuple) else key
            out.append(b"".join(struct.pack(">I", k & 0xFFFFFFFF) for k in key))
            out.append(struct.pack(">8d", *counts))
        out.append(struct.pack(">I", (len(self.edges) if ned is None else ned) & 0xFFFFFFFF))
        for f, t, s, c in self.edges:
            out.append(struct.pack(">IIdd", f & 0xFFFFFFFF, t & 0xFFFFFFFF, s, c))
        return b"".join(out)

    def clone(self):
        return copy.deepcopy(self)


def value(pair):
    return pair[0] + pair[1]


# counts a reader must refuse (the value of a count is s + c: a negative
# s or c is legal as long as the sum is not negative), and legal extremes
BAD_COUNTS = [("NaN", NAN), ("Infinity", INF), ("-Infinity", -INF), ("-1e300", -1e300)]
BAD_COMPENSATIONS = [("NaN", NAN), ("-Infinity", -INF), ("-1e300", -1e300)]
LEGAL_COUNTS = [("-0", -0.0), ("5e-324", 5e-324)]


def _with(st, fn):
    s = st.clone()
    fn(s)
    return s.pack()


def structural(name, b):
    """Truncated and padded copies of the stream b (every one invalid)."""
    out = []
    for n in sorted({0, 1, 3, 4, 8, 12, 16, 17, 20, 21, len(b) // 2, len(b) - 16, len(b) - 8, len(b) - 1}):
        if 0 <= n < len(b):
            out.append((f"{name}: truncated to {n} bytes", b[:n], "22P03"))
    for pad, what in ((b"\x00", "1 zero byte"), (b"\x00" * 8, "8 zero bytes"), (b"\xff" * 16, "16 0xff bytes"),
                      (b, "a second copy of itself")):
        out.append((f"{name}: padded with {what}", b + pad, "22P03"))
    return out


def header(name, st):
    out = [(f"{name}: magic 0", st.pack(magic=0), "22P03"),
           (f"{name}: magic byte-swapped", st.pack(magic=0x4350514C), "22P03"),
           (f"{name}: version 0", st.pack(version=0), "22P03"),
           (f"{name}: version 2", st.pack(version=2), "22P03")]
    for m in (0, 10, 0xFFFFFFFF, 0x80000000):
        out.append((f"{name}: method {m}", _with(st, lambda s: setattr(s, "method", m)), "22P03"))
    if st.method == MARKOV:
        for o in (0, 9, 0xFFFFFFFF, 0x80000001):
            out.append((f"{name}: markov order {o}", _with(st, lambda s: setattr(s, "order", o)), "22P03"))
        # relabelled as a method without states (it has states and transitions)
        out.append((f"{name}: relabelled linear (order 0)",
                    _with(st, lambda s: (setattr(s, "method", 3), setattr(s, "order", 0))), "22P03"))
        # markov order lowered below its states' length
        if any(len(k) > 1 for k, _ in st.states):
            out.append((f"{name}: order 1 with longer states", _with(st, lambda s: setattr(s, "order", 1)), "22P03"))
    else:
        out.append((f"{name}: order 1 on a method without orders", _with(st, lambda s: setattr(s, "order", 1)), "22P03"))
        out.append((f"{name}: relabelled markov order 0", _with(st, lambda s: setattr(s, "method", MARKOV)), "22P03"))
    return out


def channels(name, st):
    n = len(st.channels)
    out = [(f"{name}: channel count +1", st.pack(nch=n + 1), "22P03"),
           (f"{name}: channel count 2^31-1", st.pack(nch=0x7FFFFFFF), "22P03"),
           (f"{name}: channel count 2^32-1", st.pack(nch=0xFFFFFFFF), "22P03")]
    if n >= 1:
        out.append((f"{name}: channel count -1", st.pack(nch=n - 1), "22P03"))
        c0 = st.channels[0]
        out.append((f"{name}: channel length 2^32-1",
                    _with(st, lambda s: s.channels.__setitem__(0, (c0, 0xFFFFFFFF))), "22P03"))
        out.append((f"{name}: channel length 2^31",
                    _with(st, lambda s: s.channels.__setitem__(0, (c0, 0x80000000))), "22P03"))
        out.append((f"{name}: channel length +1",
                    _with(st, lambda s: s.channels.__setitem__(0, (c0, len(c0) + 1))), "22P03"))
    if n >= 2:
        out.append((f"{name}: a channel twice",
                    _with(st, lambda s: s.channels.__setitem__(1, s.channels[0])), "22P03"))
    if n >= 1:
        # names a reader must not pass on as text: not UTF-8, a NUL byte
        out.append((f"{name}: channel name not UTF-8",
                    _with(st, lambda s: s.channels.__setitem__(0, b"\xff\xfe\xc3")), "22P03"))
        out.append((f"{name}: channel name with a NUL byte",
                    _with(st, lambda s: s.channels.__setitem__(0, b"a\x00b")), "22P03"))
    return out


def counts(name, st):
    """Each kind of count made NaN, infinite, negative; s + c overflowing."""
    out = []
    slots = []
    if st.credits:
        slots += [("credit conversions", lambda s: s.credits[0], 0), ("credit revenue", lambda s: s.credits[0], 2)]
    slots += [("total conversions", lambda s: s.totals[0], 0), ("total revenue", lambda s: s.totals[1], 0),
              ("total nulls", lambda s: s.totals[2], 0)]
    for i, what in enumerate(("start", "conv", "rev", "null")):
        if st.states:
            slots.append((f"state {what}", lambda s: s.states[0][1], 2 * i))
    if st.edges:
        slots.append(("transition count", lambda s: s.edges[0], 2))
    for what, get, off in slots:
        for label, v in BAD_COUNTS:
            out.append((f"{name}: {what} {label}", _with(st, lambda s: get(s).__setitem__(off, v)), "22P03"))
        for label, v in BAD_COMPENSATIONS:
            out.append((f"{name}: {what} compensation {label}",
                        _with(st, lambda s: get(s).__setitem__(off + 1, v)), "22P03"))
        out.append((f"{name}: {what} s + c overflows",
                    _with(st, lambda s: (get(s).__setitem__(off, 1.7e308), get(s).__setitem__(off + 1, 1.7e308))),
                    "22P03"))
    if st.credits:
        for label, v in LEGAL_COUNTS:
            out.append((f"{name}: credit conversions {label} (legal)",
                        _with(st, lambda s: s.credits[0].__setitem__(0, v)), "ok"))
    return out


def markov(name, st):
    """Ids out of range, duplicates, self-loops and flows that do not balance."""
    out = []
    nst, nch = len(st.states), len(st.channels)
    out += [(f"{name}: state count +1", st.pack(nst=nst + 1), "22P03"),
            (f"{name}: state count -1", st.pack(nst=nst - 1), "22P03"),
            (f"{name}: state count 2^31-1", st.pack(nst=0x7FFFFFFF), "22P03"),
            (f"{name}: transition count +1", st.pack(ned=len(st.edges) + 1), "22P03"),
            (f"{name}: transition count 2^32-1", st.pack(ned=0xFFFFFFFF), "22P03")]
    if st.edges:
        out.append((f"{name}: transition count -1", st.pack(ned=len(st.edges) - 1), "22P03"))
    key0 = st.states[0][0]
    for ln in (0, st.order + 1, 9, 0xFFFFFFFF):
        def set_len(s, ln=ln):
            # the declared length ln, followed by min(ln, 9) channel ids
            ids = (key0 + [0] * 9)[:min(ln, 9)]
            s.states[0] = ((ids, ln), s.states[0][1])
        out.append((f"{name}: state length {ln}", _with(st, set_len), "22P03"))
    for cid in (nch, 0x7FFFFFFF, 0xFFFFFFFF):
        out.append((f"{name}: state names channel {cid}",
                    _with(st, lambda s: s.states[0][0].__setitem__(0, cid)), "22P03"))
    if nst >= 2:
        out.append((f"{name}: a state twice",
                    _with(st, lambda s: s.states.__setitem__(1, (list(s.states[0][0]), s.states[1][1]))), "22P03"))
    if st.edges:
        e0 = st.edges[0]
        out.append((f"{name}: self-loop transition", _with(st, lambda s: s.edges[0].__setitem__(1, e0[0])), "22P03"))
        out.append((f"{name}: transition from state {nst}", _with(st, lambda s: s.edges[0].__setitem__(0, nst)), "22P03"))
        out.append((f"{name}: transition to state 2^32-1",
                    _with(st, lambda s: s.edges[0].__setitem__(1, 0xFFFFFFFF)), "22P03"))
        if len(st.edges) >= 2:
            out.append((f"{name}: a transition twice",
                        _with(st, lambda s: s.edges.__setitem__(1, list(s.edges[0]))), "22P03"))
        # flows: what enters a state must leave it, and P * starts = conversions
        out.append((f"{name}: transition count +1 (in/out flows disagree)",
                    _with(st, lambda s: s.edges[0].__setitem__(2, s.edges[0][2] + 1)), "22P03"))
        out.append((f"{name}: transition count x 1e300 (in/out flows disagree)",
                    _with(st, lambda s: s.edges[0].__setitem__(2, s.edges[0][2] * 1e300)), "22P03"))
        out.append((f"{name}: every transition removed", _with(st, lambda s: s.edges.clear()), "22P03"))
    out.append((f"{name}: state start +1 (flows disagree)",
                _with(st, lambda s: s.states[0][1].__setitem__(0, s.states[0][1][0] + 1)), "22P03"))
    out.append((f"{name}: state nulls +1 (flows disagree)",
                _with(st, lambda s: s.states[0][1].__setitem__(6, s.states[0][1][6] + 1)), "22P03"))
    conv_state = next((i for i, (_, c) in enumerate(st.states) if value(c[2:4]) > 0), None)
    if conv_state is not None:
        out.append((f"{name}: conversions moved to nulls (total disagrees)",
                    _with(st, lambda s: (s.states[conv_state][1].__setitem__(6, s.states[conv_state][1][6]
                                                                              + value(s.states[conv_state][1][2:4])),
                                         s.states[conv_state][1].__setitem__(2, 0.0),
                                         s.states[conv_state][1].__setitem__(3, 0.0))), "22P03"))
        out.append((f"{name}: state revenue x 2 (total revenue disagrees)",
                    _with(st, lambda s: s.states[conv_state][1].__setitem__(4, s.states[conv_state][1][4] * 2 + 1)),
                    "22P03"))
    out.append((f"{name}: total conversions x 2 + 1", _with(st, lambda s: s.totals.__setitem__(0, [value(s.totals[0]) * 2 + 1, 0.0])),
                "22P03"))
    out.append((f"{name}: every start zero",
                _with(st, lambda s: [c.__setitem__(0, 0.0) or c.__setitem__(1, 0.0) for _, c in s.states]), "22P03"))
    # a state with nothing in and nothing out (a new key: the last channel repeated)
    out.append((f"{name}: an isolated state with no counts",
                _with(st, lambda s: s.states.append(([nch - 1] * st.order, [0.0] * 8))), "22P03"))
    return out


def synthetic():
    """Markov states built from nothing: chains a reader must refuse or solve."""
    out = []

    def chain(states, edges, totals, nch=2):
        s = State()
        s.method, s.order = MARKOV, 1
        s.channels = [b"a", b"b", b"c"][:nch]
        s.credits = [[0.0] * 4 for _ in range(nch)]
        s.totals = [[t, 0.0] for t in totals]
        s.states = [([i], [st[0], 0.0, st[1], 0.0, st[2], 0.0, st[3], 0.0]) for i, st in enumerate(states)]
        s.edges = [[f, t, w, 0.0] for f, t, w in edges]
        return s.pack()

    # a closed loop a <-> b that no journey enters or leaves
    out.append(("synthetic: closed loop without starts or exits",
                chain([(0, 0, 0, 0), (0, 0, 0, 0)], [(0, 1, 1.0), (1, 0, 1.0)], (0, 0, 0)), "22P03"))
    # loops almost never left, flows balanced: start a (1), a -> b W, b -> a W - 1,
    # b ends: conversion 1e-300, null 1 - 1e-300
    for w in (1e6, 1e15, 1e16, 1e17, 1e300):
        out.append((f"synthetic: loop a<->b of weight {w:g} left with p 1/{w:g} (conversions 1e-300)",
                    chain([(1, 0, 0, 0), (0, 1e-300, 1e-300, 1.0)], [(0, 1, w), (1, 0, w - 1)], (1e-300, 1e-300, 1.0)),
                    "ok|54000"))
    # the same, converting: conversions 1 of the 1 journey
    for w in (1e6, 1e16, 1e300):
        out.append((f"synthetic: loop a<->b of weight {w:g}, the one journey converts",
                    chain([(1, 0, 0, 0), (0, 1, 5, 0)], [(0, 1, w), (1, 0, w - 1)], (1, 5, 0)), "ok|54000"))
    # counts at float8's limit that balance
    out.append(("synthetic: one state, start = conversions = 1.7e308",
                chain([(1.7e308, 1.7e308, 1.7e308, 0)], [], (1.7e308, 1.7e308, 0), nch=1), "ok"))
    out.append(("synthetic: one state, start 5e-324 = nulls",
                chain([(5e-324, 0, 0, 5e-324)], [], (0, 0, 5e-324), nch=1), "ok"))
    out.append(("synthetic: one state, revenue 1.7e308 on 5e-324 conversions",
                chain([(5e-324, 5e-324, 1.7e308, 0)], [], (5e-324, 1.7e308, 0), nch=1), "ok|22003"))
    # an empty markov state (no channels, no states)
    out.append(("synthetic: empty markov state", chain([], [], (0, 0, 0), nch=0), "ok"))
    return out


def flips(name, b, every=1):
    """The first 64 bytes of b and every every-th after them xor 0xff: any
    answer but a crash, XX000 or a non-finite number is fine (a flip inside
    a name is legal)."""
    return [(f"{name}: byte {i} xor 0xff", b[:i] + bytes([b[i] ^ 0xFF]) + b[i + 1:], None)
            for i in range(len(b)) if i < 64 or i % every == 0]


def forgeries(valid):
    """valid: {name: bytes} of states the aggregates wrote.  Returns
    [(label, bytes, expected)] (expected: "22P03", "ok", or None: any clean
    answer)."""
    out = []
    for name in ("linear", "markov_loop", "markov2", "time_decay"):
        b = valid[name]
        st = State(b)
        assert st.pack() == b, f"pcstate does not reproduce the {name} state"
        out += structural(name, b) + header(name, st)
        if name in ("linear", "markov_loop"):
            out += channels(name, st) + counts(name, st)
        if st.method == MARKOV:
            out += markov(name, st)
    out += synthetic()
    return out


def hexlit(b):
    return "'\\x" + b.hex() + "'::bytea"
