package org.gfs2j.bench.fs;

import java.nio.file.Path;

/**
 * Where a workload runs: {@code dir} is its own empty directory on the mounted target,
 * {@code shared} a directory on the same mount whose files (fio's data files) live as long as the
 * target is mounted, and {@code caches} drops the page cache for cold reads.
 */
public record WorkloadContext(Path dir, Path shared, CacheDropper caches) {
}
