package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sqlite3 on gfs2j, on a loop device: a rollback-journal database and a WAL database (whose -shm
 * file sqlite maps shared) under a few thousand inserts, updates and deletes in many small
 * transactions (each an fsync'd commit), then {@code PRAGMA integrity_check} ok, the same
 * aggregates after a remount, and fsck.gfs2 -n clean.
 */
class SqliteWorkloadTest {
    @RegisterExtension
    final GfsMount fs = new GfsMount();

    private static final int TRANSACTIONS = 40;
    private static final int ROWS_PER_TRANSACTION = 75;
    private static final int ROWS = TRANSACTIONS * ROWS_PER_TRANSACTION;

    /** Each transaction inserts its rows, rewrites every 4th row's value and deletes every 9th row. */
    private static final String LOAD = """
            PRAGMA journal_mode=%s;
            CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB, n INTEGER);
            CREATE INDEX t_n ON t(n);
            """;

    private static String load(String journalMode) {
        StringBuilder sql = new StringBuilder(String.format(LOAD, journalMode));
        for (int tx = 0; tx < TRANSACTIONS; tx++) {
            int lo = tx * ROWS_PER_TRANSACTION + 1;
            int hi = lo + ROWS_PER_TRANSACTION - 1;
            sql.append("BEGIN;\n")
                    .append("WITH RECURSIVE s(i) AS (SELECT ").append(lo).append(" UNION ALL SELECT i + 1 FROM s WHERE i < ")
                    .append(hi).append(") INSERT INTO t(id, k, v, n) SELECT i, 'key-' || i, randomblob(50 + i % 700), i FROM s;\n")
                    .append("UPDATE t SET v = zeroblob(300 + id % 5), n = n * 2 WHERE id BETWEEN ").append(lo)
                    .append(" AND ").append(hi).append(" AND id % 4 = 0;\n")
                    .append("DELETE FROM t WHERE id BETWEEN ").append(lo).append(" AND ").append(hi).append(" AND id % 9 = 0;\n")
                    .append("COMMIT;\n");
        }
        return sql.toString();
    }

    private static final String SUMMARY = "SELECT count(*), sum(n), sum(length(v)) FROM t; PRAGMA integrity_check;";

    @Test
    void databasesUnderLoadStayIntactAcrossARemount() throws Exception {
        GfsMount.requireTools("sqlite3");
        fs.formatLoopDevice(256);
        fs.mount();
        java.nio.file.Files.writeString(fs.scratch().resolve("rollback.sql"), load("DELETE"));
        java.nio.file.Files.writeString(fs.scratch().resolve("wal.sql"), load("WAL"));
        GfsMount.Result loaded = fs.sh("""
                mkdir $M/db
                sqlite3 -bail $M/db/rollback.db < $S/rollback.sql
                sqlite3 -bail $M/db/wal.db < $S/wal.sql
                sqlite3 $M/db/rollback.db 'VACUUM;'
                for db in rollback wal; do sqlite3 $M/db/$db.db "%s"; done
                """.formatted(SUMMARY)).ok("sqlite load");
        // The rows less the multiples of 9; n doubled for multiples of 4 but not 9.
        long rows = ROWS - ROWS / 9;
        long sumN = 0;
        for (long i = 1; i <= ROWS; i++) {
            if (i % 9 != 0) {
                sumN += i % 4 == 0 ? 2 * i : i;
            }
        }
        String[] lines = loaded.out().trim().split("\n");
        String summary = lines[lines.length - 2];
        assertTrue(summary.startsWith(rows + "|" + sumN + "|"), loaded.out());
        assertEquals("ok", lines[lines.length - 1], loaded.out());
        assertEquals(lines[lines.length - 4] + "\n" + lines[lines.length - 3], summary + "\nok", "both databases agree");

        fs.unmountAndCheck();
        fs.mount();
        GfsMount.Result again = fs.sh("""
                for db in rollback wal; do sqlite3 $M/db/$db.db "%s"; done
                sqlite3 $M/db/wal.db 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
                ls $M/db | sort | tr '\\n' ' '
                """.formatted(SUMMARY)).ok("sqlite after remount");
        assertTrue(again.out().startsWith(summary + "\nok\n" + summary + "\nok\n"), again.out());
        fs.unmountAndCheck();
    }
}
