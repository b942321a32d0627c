package org.gfs2j.bench.fs;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One workload run against a mount point: an unmeasured {@link #prepare}, then {@link #measure}
 * once per repetition, each returning a value for every one of its {@link #figures()}.
 */
public interface Workload {
    /** Short id, used in progress lines and the CSV ("seq-read"). */
    String id();

    /** The figures every {@link #measure} call returns, by {@link Figure#id()}. */
    List<Figure> figures();

    /** Why this workload cannot run on this machine (fio missing), or empty. */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /** Unmeasured set-up, e.g. laying out the file a read test reads. */
    default void prepare(WorkloadContext ctx) throws Exception {
    }

    /** One measured repetition; the map holds a value for every figure. */
    Map<String, Double> measure(WorkloadContext ctx) throws Exception;
}
