"""The SQLite databases the persistence benchmarks save and restore.

    python3 bench/sqlite-db.py build PATH MIB   a WAL database of MIB MiB of 4,000-byte random rows, checkpointed
    python3 bench/sqlite-db.py day PATH         the typical day: 1 % of the size appended, 100 rows rewritten
"""
import os
import random
import sqlite3
import sys

ROW = 4000


def build(path: str, mib: int) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE rows(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
    batch = [(os.urandom(ROW),) for _ in range(256)]
    while os.path.getsize(path) + os.path.getsize(path + "-wal") < mib * 1024 * 1024:
        db.executemany("INSERT INTO rows(payload) VALUES (?)", batch)
        db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def day(path: str) -> None:
    db = sqlite3.connect(path)
    count = db.execute("SELECT count(*) FROM rows").fetchone()[0]
    for _ in range(max(1, os.path.getsize(path) // 100 // ROW)):
        db.execute("INSERT INTO rows(payload) VALUES (?)", (os.urandom(ROW),))
    for row in random.Random(7).sample(range(1, count + 1), min(100, count)):
        db.execute("UPDATE rows SET payload = ? WHERE id = ?", (os.urandom(ROW), row))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "day":
        day(sys.argv[2])
    else:
        sys.exit(__doc__)
