# "Done in this project" at a rater with a long history: the count over the index (before) against the kept row (after).
import sqlite3, time, uuid, random
db = sqlite3.connect('h.db'); db.execute('PRAGMA journal_mode=WAL')
db.executescript('''
CREATE TABLE "Assignments" ("Id" INTEGER PRIMARY KEY, "ProjectId" INTEGER NOT NULL, "RaterId" TEXT NOT NULL, "Status" TEXT NOT NULL);
CREATE INDEX "IX_Assignments_RaterId_Status_ProjectId" ON "Assignments" ("RaterId", "Status", "ProjectId");
CREATE TABLE "RaterProgress" ("RaterId" TEXT NOT NULL, "ProjectId" INTEGER NOT NULL, "Finished" INTEGER NOT NULL, PRIMARY KEY ("RaterId", "ProjectId"));
''')
raters = [str(uuid.uuid4()) for _ in range(50)]
heavy = raters[0]
rows = []
for n in (0,):
    pass
def fill(count, rater):
    db.executemany('INSERT INTO "Assignments" ("ProjectId","RaterId","Status") VALUES (?,?,?)',
                   [(random.choice((1, 1, 1, 2)), rater, random.choice(('Submitted', 'Submitted', 'Skipped'))) for _ in range(count)])
for r in raters[1:]: fill(2000, r)
db.execute('INSERT INTO "RaterProgress" SELECT "RaterId","ProjectId",COUNT(*) FROM "Assignments" WHERE "Status" IN (\'Submitted\',\'Skipped\') GROUP BY 1,2')
db.commit()
old = 'SELECT COALESCE(SUM(CASE WHEN "ProjectId" = ? THEN 1 ELSE 0 END), 0) FROM "Assignments" WHERE "RaterId" = ? AND "Status" IN (\'Submitted\', \'Skipped\')'
new = 'SELECT "Finished" FROM "RaterProgress" WHERE "RaterId" = ? AND "ProjectId" = ?'
def per_call(sql, args, n=300):
    db.execute(sql, args).fetchall()
    t = time.perf_counter()
    for _ in range(n): db.execute(sql, args).fetchall()
    return (time.perf_counter() - t) / n * 1e6
done = 0
for history in (300, 3000, 30000, 100000):
    fill(history - done, heavy); done = history
    db.execute('DELETE FROM "RaterProgress" WHERE "RaterId" = ?', (heavy,))
    db.execute('INSERT INTO "RaterProgress" SELECT "RaterId","ProjectId",COUNT(*) FROM "Assignments" WHERE "RaterId" = ? AND "Status" IN (\'Submitted\',\'Skipped\') GROUP BY 1,2', (heavy,))
    db.commit()
    a = db.execute(old, (1, heavy)).fetchone()[0]; b = db.execute(new, (heavy, 1)).fetchone()[0]
    assert a == b, (a, b)
    print(f"history {history:>7,} finished assignments: count over the index {per_call(old, (1, heavy)):9.1f} us, kept row {per_call(new, (heavy, 1)):5.1f} us (both {a:,})")
