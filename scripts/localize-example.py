#!/usr/bin/env python3
"""Writes examples/localize.json: a measurement file for `isac-twin localize`, computed from
chosen true target positions (printed below and quoted in README.md, "Offline localisation").

Four base stations at different heights around a 100 m square, two targets, one UE with a
GNSS-reported position 0.5 m off its true one and an unknown clock offset. Ranges are rounded
to the millimetre and angles to 0.01 degree (that rounding is the only error); the stated
standard deviations are those of a realistic system."""
import json, math, os

BS = {"bs1": (0, 0, 10), "bs2": (100, 0, 15), "bs3": (100, 100, 12), "bs4": (0, 100, 8)}
UE_TRUE = (60, 70, 1.5)
UE_REPORTED = (60.4, 69.7, 1.5)
UE_CLOCK = 12.4  # c * (UE clock - BS clock), m: inside every sum range into the UE
BS2_BS4_OFFSET = 3.25  # known (calibrated) offset of the bs2 -> bs4 link, m
TARGETS = {"T1": (35, 40, 1.5), "T2": (70, 25, 20)}


def dist(a, b):
    return math.dist(a, b)


def mm(x):
    return round(x, 3)


def angles(frm, to):
    d = [t - f for f, t in zip(frm, to)]
    az = math.degrees(math.atan2(d[1], d[0]))
    el = math.degrees(math.atan2(d[2], math.hypot(d[0], d[1])))
    return round(az, 2), round(el, 2)


def mono(bs, order):
    return [mm(dist(BS[bs], TARGETS[t])) for t in order]


def bistatic(tx, rx, order, offset=0.0, rx_pos=None):
    rx_pos = rx_pos or BS[rx]
    return [mm(dist(BS[tx], TARGETS[t]) + dist(TARGETS[t], rx_pos) + offset) for t in order]


def aoa(frm, t, std, elevation=True):
    az, el = angles(frm, TARGETS[t])
    out = {"azimuthDeg": az}
    if elevation:
        out["elevationDeg"] = el
    out["stdDeg"] = std
    return out


anchors = [{"name": n, "position": list(p)} for n, p in BS.items()]
anchors.append({"name": "ue7", "position": list(UE_REPORTED), "kind": "ue", "positionStd": 1.0,
                "comment": "GNSS report"})

links = [
    {"transmitter": "bs1", "receiver": "bs1", "comment": "monostatic with angles",
     "echoes": [{"range": r, "std": 0.05, "aoa": aoa(BS["bs1"], t, 0.5)}
                for t, r in zip(["T1", "T2"], mono("bs1", ["T1", "T2"]))]},
    {"transmitter": "bs2", "receiver": "bs2", "ranges": mono("bs2", ["T2", "T1"]), "rangeStd": 0.05},
    {"transmitter": "bs3", "receiver": "bs3", "ranges": mono("bs3", ["T1", "T2"]), "rangeStd": 0.05},
    {"transmitter": "bs4", "receiver": "bs4", "ranges": mono("bs4", ["T2", "T1"]), "rangeStd": 0.05},
    {"transmitter": "bs1", "receiver": "bs3", "sumRanges": bistatic("bs1", "bs3", ["T1", "T2"]), "rangeStd": 0.08},
    {"transmitter": "bs2", "receiver": "bs4", "sumRanges": bistatic("bs2", "bs4", ["T2", "T1"], BS2_BS4_OFFSET),
     "rangeStd": 0.08, "offset": BS2_BS4_OFFSET, "offsetStd": 0.03},
]
for tx, order in [("bs2", ["T1", "T2"]), ("bs3", ["T2", "T1"])]:
    sums = bistatic(tx, None, order, UE_CLOCK, UE_TRUE)
    echoes = []
    for t, s in zip(order, sums):
        echo = {"range": s, "std": 0.1, "aoa": aoa(UE_TRUE, t, 2.0)}
        if tx == "bs2":
            echo["aod"] = aoa(BS["bs2"], t, 1.0, elevation=False)
        echoes.append(echo)
    links.append({"transmitter": tx, "receiver": "ue7", "offset": "unknown", "offsetGroup": "ue7-clock", "echoes": echoes})

doc = {"comment": "isac-twin localize example: 4 BSs, 2 targets, one UE with an unknown clock offset "
       "(scripts/localize-example.py)", "anchors": anchors, "links": links}


def dump(value, indent=0):
    """JSON with one anchor, echo or short array per line (hand-editable, diff-friendly)."""
    pad = "  " * indent
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) and len(json.dumps(v)) > 60 for v in value.values()):
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 1).lstrip()}' for k, v in value.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and len(json.dumps(value)) > 100:
        return pad + "[\n" + ",\n".join(dump(v, indent + 1) for v in value) + "\n" + pad + "]"
    return pad + json.dumps(value, ensure_ascii=False)


root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "examples", "localize.json"), "w") as f:
    f.write(dump(doc) + "\n")
for name, p in TARGETS.items():
    print(name, p, {b: round(dist(pos, p), 2) for b, pos in BS.items()})
