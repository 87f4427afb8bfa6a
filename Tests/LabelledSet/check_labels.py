#!/usr/bin/env python3
"""Checks home-commands.jsonl against the sample catalog and prints counts per tag and intent.

    python3 Tests/LabelledSet/check_labels.py [FILE.jsonl] [--catalog Board/catalog/home.yaml]

Needs PyYAML. Exits non-zero when a label is malformed or does not fit the catalog: an unknown device, a
capability the device lacks, a value out of range, or an area/floor expansion that leaves out a device the
catalog puts there.
"""
import argparse
import collections
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
INTENTS = {
    "HassTurnOn", "HassTurnOff", "HassLightSet", "HassLightBrightnessUp", "HassLightBrightnessDown",
    "HassClimateSetTemperature", "HassClimateTemperatureUp", "HassClimateTemperatureDown", "HassSetPosition",
    "HassOpenCover", "HassCloseCover", "HassLock", "HassUnlock", "HassGetState", "NotACommand",
}
TAGS = {
    "direct", "paraphrase", "indirect", "relative", "multi", "area", "floor", "question", "notcommand", "typo",
    "german", "numberwords", "scene", "ambiguous", "polite/long", "color", "temperature", "cover", "lock",
    "rejected",
}
STATUSES = {"ok", "ambiguous", "rejected"}
UNITS = {"percent", "celsius", "fahrenheit", "kelvin"}
# What a device must be able to do for each intent (HassLightSet depends on its slots, see below).
NEEDS = {
    "HassTurnOn": "on_off", "HassTurnOff": "on_off",
    "HassLightBrightnessUp": "brightness", "HassLightBrightnessDown": "brightness",
    "HassClimateSetTemperature": "target_temperature", "HassClimateTemperatureUp": "target_temperature",
    "HassClimateTemperatureDown": "target_temperature", "HassSetPosition": "position",
    "HassOpenCover": "open_close", "HassCloseCover": "open_close", "HassLock": "lock", "HassUnlock": "lock",
}
TOLERANCE = 0.1  # values this far outside a range (as a fraction of its width) are clamped, not refused
# Expansions that deliberately leave out a device the area/floor/type rule would include, with the reason.
PARTIAL_EXPANSIONS = {
    "close all the blinds downstairs": "blinds, not the garage door (also a cover)",
}


def capabilities(device):
    caps = device.get("capabilities") or []
    return caps if isinstance(caps, dict) else {name: None for name in caps}


def named_colours():
    source = (ROOT / "Sources/EdgeAgent/Catalog/NamedColor.swift").read_text()
    return set(re.findall(r'\("([a-z ]+)", "#[0-9A-F]{6}"\)', source))


def swift_intents():
    source = (ROOT / "Sources/EdgeAgent/Catalog/Action.swift").read_text()
    return set(re.findall(r'case \w+ = "(\w+)"', source))


def in_range(value, low, high):
    slack = (high - low) * TOLERANCE
    return low - slack <= value <= high + slack


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=str(ROOT / "Tests/LabelledSet/home-commands.jsonl"))
    parser.add_argument("--catalog", default=str(ROOT / "Board/catalog/home.yaml"))
    args = parser.parse_args()

    catalog = yaml.safe_load(open(args.catalog, encoding="utf-8"))
    devices = {d["id"]: d for d in catalog["devices"]}
    scenes = {s["id"] for s in catalog.get("scenes", [])}
    area_floor = {a["id"]: a.get("floor") for a in catalog["areas"]}
    colours = named_colours()
    errors, texts = [], set()
    tags, intents, statuses = collections.Counter(), collections.Counter(), collections.Counter()

    def fail(n, message):
        errors.append(f"line {n}: {message}")

    for n, line in enumerate(open(args.file, encoding="utf-8"), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            fail(n, f"not JSON: {error}")
            continue
        text, expected, row_tags = row.get("text"), row.get("expected"), row.get("tags", [])
        if set(row) - {"text", "expected", "tags"} or not isinstance(text, str) or not text.strip():
            fail(n, "needs text, expected and tags only")
            continue
        if text.lower() in texts:
            fail(n, f"duplicate text {text!r}")
        texts.add(text.lower())
        for tag in row_tags:
            if tag not in TAGS:
                fail(n, f"unknown tag {tag!r}")
        tags.update(row_tags)
        status = expected.get("status", "ok")
        statuses[status] += 1
        actions = expected.get("actions", [])
        if status not in STATUSES:
            fail(n, f"unknown status {status!r}")
        if status != "ok":
            if actions:
                fail(n, f"status {status} takes no actions")
            if status not in row_tags:
                fail(n, f"status {status} needs the tag {status}")
            continue
        if not actions:
            fail(n, "status ok needs actions")
        for action in actions:
            intent = action.get("intent")
            intents[intent] += 1
            ids = action.get("devices", [])
            value, unit, colour = action.get("value"), action.get("unit"), action.get("color")
            if intent not in INTENTS:
                fail(n, f"unknown intent {intent!r}")
                continue
            if set(action) - {"intent", "devices", "value", "unit", "color"}:
                fail(n, f"unknown slot in {action}")
            if intent == "NotACommand":
                if ids or len(actions) > 1 or "notcommand" not in row_tags:
                    fail(n, "NotACommand stands alone, without devices, tagged notcommand")
                continue
            if not ids:
                fail(n, f"{intent} without devices")
            if len(set(ids)) != len(ids):
                fail(n, f"repeated device in {ids}")
            if unit is not None and unit not in UNITS:
                fail(n, f"unknown unit {unit!r}")
            if unit is not None and value is None:
                fail(n, "unit without value")
            needed = [NEEDS[intent]] if intent in NEEDS else []
            if intent == "HassLightSet":
                if value is None and colour is None:
                    fail(n, "HassLightSet needs a value or a colour")
                if value is not None:
                    needed.append("color_temp" if unit == "kelvin" else "brightness")
                    if unit not in (None, "percent", "kelvin"):
                        fail(n, f"HassLightSet does not take {unit}")
                if colour is not None:
                    needed.append("color")
                    if colour not in colours and not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
                        fail(n, f"colour {colour!r} is not a named colour")
            elif colour is not None:
                fail(n, f"{intent} takes no colour")
            if intent in ("HassSetPosition",) and (value is None or not in_range(value, 0, 100)):
                fail(n, f"position {value} missing or out of range")
            if intent in ("HassClimateSetTemperature",) and value is None:
                fail(n, "set-point missing")
            if intent.endswith(("Up", "Down")) and value is not None and value <= 0:
                fail(n, "a relative step is positive")
            if intent in ("HassTurnOn", "HassTurnOff", "HassOpenCover", "HassCloseCover", "HassLock",
                          "HassUnlock", "HassGetState") and value is not None:
                fail(n, f"{intent} takes no value")
            for device_id in ids:
                if device_id in scenes:
                    if intent != "HassTurnOn":
                        fail(n, f"scene {device_id} can only be turned on")
                    continue
                device = devices.get(device_id)
                if device is None:
                    fail(n, f"unknown device {device_id!r}")
                    continue
                caps = capabilities(device)
                for capability in needed:
                    if capability not in caps:
                        fail(n, f"{device_id} cannot do {intent} ({capability})")
                if intent == "HassLightSet" and unit == "kelvin" and "color_temp" in caps:
                    span = caps["color_temp"]
                    if not in_range(value, span["min"], span["max"]):
                        fail(n, f"{value} K outside {device_id}'s range")
                if intent == "HassLightSet" and unit != "kelvin" and value is not None and not in_range(value, 0, 100):
                    fail(n, f"brightness {value} out of range")
                if intent == "HassClimateSetTemperature" and "target_temperature" in caps:
                    span = caps["target_temperature"]
                    celsius = (value - 32) * 5 / 9 if unit == "fahrenheit" else value
                    if not in_range(celsius, span["min"], span["max"]):
                        fail(n, f"{value} outside {device_id}'s set-point range")
            # An area or floor expansion names every device of the same kind there that can do it.
            real = [devices[i] for i in ids if i in devices]
            if real and ({"area", "floor"} & set(row_tags)) and text not in PARTIAL_EXPANSIONS:
                areas = {d["area"] for d in real}
                floors = {area_floor[a] for a in areas}
                if "floor" in row_tags and len(floors) == 1 and None not in floors:
                    areas = {a for a, f in area_floor.items() if f in floors}
                for kind in {d["type"] for d in real}:
                    missing = [
                        d["id"] for d in catalog["devices"]
                        if d["area"] in areas and d["type"] == kind and d["id"] not in ids
                        and all(c in capabilities(d) for c in needed)
                    ]
                    if missing:
                        fail(n, f"{text!r}: expansion leaves out {missing}")

    print(f"{sum(statuses.values())} lines; status: {dict(statuses)}")
    print("tags:    " + ", ".join(f"{t} {c}" for t, c in tags.most_common()))
    print("intents: " + ", ".join(f"{i} {c}" for i, c in intents.most_common()))
    unknown_to_swift = sorted(set(intents) - swift_intents())
    if unknown_to_swift:
        print("note: intents not (yet) in Action.swift's Intent: " + ", ".join(unknown_to_swift))
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
