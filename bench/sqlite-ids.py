#!/usr/bin/env python3
"""Issue 14, item 5: would 16-byte BLOB ids make SQLite's audit ingest faster than the 36-character text ids it stores?

Writes the same interceptions (the interceptions table with its five secondary indexes, a prompt and a token-usage row
each, in transactions of 200 like the gateway's batches, WAL, synchronous=NORMAL, foreign keys on) into two fresh
databases, one with TEXT ids and one with BLOB(16) big-endian UUIDv7 ids, in interleaved rounds, and prints
interceptions/s and the file size of each. Not a test and not part of bench/run.sh; python3's sqlite3 module only.

    bench/sqlite-ids.py [--interceptions N] [--rounds R]
"""
import argparse
import os
import random
import sqlite3
import tempfile
import time
import uuid

SCHEMA = """
CREATE TABLE interceptions (id {t} PRIMARY KEY, user_id {t} NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
  client TEXT NOT NULL, streaming INTEGER NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,
  metadata TEXT NOT NULL);
CREATE INDEX interceptions_user ON interceptions (user_id, id);
CREATE INDEX interceptions_provider ON interceptions (provider, id);
CREATE INDEX interceptions_model ON interceptions (model, id);
CREATE INDEX interceptions_client ON interceptions (client, id);
CREATE INDEX interceptions_started ON interceptions (started_at);
CREATE TABLE prompts (id {t} PRIMARY KEY, interception_id {t} NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
  prompt TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX prompts_interception ON prompts (interception_id);
CREATE TABLE token_usages (id {t} PRIMARY KEY, interception_id {t} NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
  response_id TEXT, input_tokens INTEGER, output_tokens INTEGER, created_at TEXT NOT NULL);
CREATE INDEX token_usages_interception ON token_usages (interception_id);
CREATE INDEX token_usages_response_id ON token_usages (response_id);
"""


def uuid7(ms):
    return uuid.UUID(bytes=ms.to_bytes(6, "big") + random.getrandbits(80).to_bytes(10, "big"))


def ingest(folder, kind, count, batch=200):
    path = os.path.join(folder, kind + ".db")
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        db.execute("PRAGMA " + pragma)
    db.executescript(SCHEMA.format(t="BLOB" if kind == "blob" else "TEXT"))
    as_id = (lambda u: u.bytes) if kind == "blob" else str
    users = [uuid.uuid4() for _ in range(20)]
    base = int(time.time() * 1000)
    rows = []
    for n in range(count):
        ms = base + n // 10
        at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + ".%06dZ" % (ms % 1000 * 1000)
        rows.append((as_id(uuid7(ms)), as_id(random.choice(users)), as_id(uuid7(ms)), as_id(uuid7(ms)), at))
    started = time.perf_counter()
    for start in range(0, count, batch):
        chunk = rows[start:start + batch]
        db.execute("BEGIN")
        db.executemany("INSERT INTO interceptions VALUES (?, ?, 'openai', 'gpt-4o-mini', 'codex', 0, 'completed', ?, ?, '{}')",
                       [(i, u, at, at) for i, u, _, _, at in chunk])
        db.executemany("INSERT INTO prompts VALUES (?, ?, 'Summarise the failing test and propose a fix.', ?)",
                       [(p, i, at) for i, _, p, _, at in chunk])
        db.executemany("INSERT INTO token_usages VALUES (?, ?, 'chatcmpl-1', 1200, 300, ?)",
                       [(t, i, at) for i, _, _, t, at in chunk])
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return count / seconds, os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interceptions", type=int, default=30000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    best = {}
    print("| round | ids | interceptions/s | database size (MB) |\n|---:|---|---:|---:|")
    for round_ in range(1, args.rounds + 1):
        for kind in ("text", "blob"):
            with tempfile.TemporaryDirectory(prefix="bk-ids-") as folder:
                rate, size = ingest(folder, kind, args.interceptions)
            best[kind] = max(best.get(kind, (0, 0)), (rate, size))
            print(f"| {round_} | {kind} | {rate:,.0f} | {size / 1e6:.1f} |")
    (text_rate, text_size), (blob_rate, blob_size) = best["text"], best["blob"]
    print(f"\nbest round: text {text_rate:,.0f}/s, blob {blob_rate:,.0f}/s ({blob_rate / text_rate:.2f}x); "
          f"blob database {blob_size / text_size:.2f}x the size of text (SQLite {sqlite3.sqlite_version})")


if __name__ == "__main__":
    main()
