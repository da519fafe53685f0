#!/usr/bin/env python3
"""Writes ops/fuzz/corpus/ from the golden vectors: one file per message vector (its type index
byte, then its bytes) and one per frame vector. Run from the repository root after the vectors
change; the corpus is committed."""
import json, os, re

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
index_src = open(os.path.join(root, "Sources/ChurnWire/Generated/WireSchema.swift")).read()
block = index_src[index_src.index("messageTypes"):index_src.index("methods")]
names = re.findall(r"^\s+([A-Za-z.]+)\.self,", block, re.M)
out = os.path.join(root, "ops/fuzz/corpus")
os.makedirs(out, exist_ok=True)
messages = json.load(open(os.path.join(root, "wire/vectors/messages.json")))["vectors"]
for v in messages:
    if not v["message"].startswith("churn.v1."):
        continue  # the conformance schema is not in the served schema's index
    name = v["message"][len("churn.v1."):]
    data = bytes([names.index(name)]) + bytes.fromhex(v["hex"])
    open(os.path.join(out, "message-" + v["name"].replace("/", "-")), "wb").write(data)
frames = json.load(open(os.path.join(root, "wire/vectors/frames.json")))["vectors"]
for v in frames:
    open(os.path.join(out, "frame-" + v["name"]), "wb").write(bytes.fromhex(v["hex"]))
print(f"wrote {len(messages) + len(frames)} seeds to {out}")
