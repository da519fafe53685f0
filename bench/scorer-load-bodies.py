#!/usr/bin/env python3
"""Request bodies for bench/scorer-load: a unary ScoreRequest frame and a ScoreBatch body of
frames of 1,000 rows, encoded per wire/README.md (the scorer's golden-vector tests pin the same
encoding). Feature values are seeded pseudo-random, so every run sends the same bytes."""
import argparse, random, struct

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def key(field, wire_type):
    return varint(field << 3 | wire_type)

def packed_f64(field, values):
    body = b"".join(struct.pack("<d", v) for v in values)
    return key(field, 2) + varint(len(body)) + body

def packed_varints(field, values):
    body = b"".join(varint(v) for v in values)
    return key(field, 2) + varint(len(body)) + body

def frame(message, end):
    return bytes([0x04 if end else 0x00]) + struct.pack(">I", len(message)) + message

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hash", type=lambda s: int(s, 16), required=True)
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(42)
    row = lambda: [round(rng.uniform(-1, 1) * 100, 2) for _ in range(args.features)]
    # ScoreRequest: crm=1, product_group=2, feature_schema_hash=3 (fixed64), features=4, top_drivers=5
    request = (key(1, 0) + varint(4711000815) + key(2, 2) + varint(10) + b"fuel-cards"
               + key(3, 1) + struct.pack("<Q", args.hash) + packed_f64(4, row()))
    with open(f"{args.out}/unary.bin", "wb") as f:
        f.write(frame(request, True))
    # ScoreBatchRequest: feature_schema_hash=1, feature_count=2, crms=3, product_group=4, features=6
    body = bytearray()
    for index in range(args.frames):
        crms = [1_000_000 + index * args.rows + r for r in range(args.rows)]
        values = [v for _ in range(args.rows) for v in row()]
        message = (key(1, 1) + struct.pack("<Q", args.hash) + key(2, 0) + varint(args.features)
                   + packed_varints(3, crms) + key(4, 2) + varint(10) + b"fuel-cards" + packed_f64(6, values))
        body += frame(message, index == args.frames - 1)
    with open(f"{args.out}/batch.bin", "wb") as f:
        f.write(body)
    with open(f"{args.out}/batch.rows", "w") as f:
        f.write(str(args.frames * args.rows))

main()
