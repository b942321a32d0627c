package org.gfs2j.bench.fs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The numbers the runner takes from one fio job's JSON output ({@code --output-format=json}) for
 * one direction (read or write): bandwidth, IOPS and completion latency.
 */
public record FioResult(long ioBytes, double bytesPerSecond, double iops, double clatMeanNanos,
                        double clatP99Nanos) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public double mibPerSecond() {
        return bytesPerSecond / (1024.0 * 1024.0);
    }

    /**
     * Parses fio's JSON report. fio may print warnings before the JSON object, so parsing starts at
     * the first '{'. A job that reports an error or moved no data is an exception, not a zero.
     *
     * @param direction "read" or "write"
     */
    public static FioResult parse(String output, String direction) throws IOException {
        int start = output.indexOf('{');
        if (start < 0) {
            throw new IOException("fio printed no JSON report: " + firstLine(output));
        }
        JsonNode root;
        try {
            root = JSON.readTree(output.substring(start));
        } catch (IOException e) {
            throw new IOException("fio's JSON report does not parse: " + e.getMessage(), e);
        }
        JsonNode jobs = root.path("jobs");
        if (!jobs.isArray() || jobs.isEmpty()) {
            throw new IOException("fio's JSON report has no jobs");
        }
        JsonNode job = jobs.get(0);
        int error = job.path("error").asInt(0);
        if (error != 0) {
            throw new IOException("fio job " + job.path("jobname").asText() + " failed with error " + error
                    + " (" + describeErrno(error) + ")");
        }
        JsonNode d = job.path(direction);
        if (d.isMissingNode()) {
            throw new IOException("fio's JSON report has no '" + direction + "' section");
        }
        long ioBytes = d.path("io_bytes").asLong(0);
        if (ioBytes <= 0) {
            throw new IOException("fio job " + job.path("jobname").asText() + " moved no data");
        }
        JsonNode clat = d.path("clat_ns");
        double p99 = clat.path("percentile").path("99.000000").asDouble(Double.NaN);
        return new FioResult(ioBytes, d.path("bw_bytes").asDouble(), d.path("iops").asDouble(),
                clat.path("mean").asDouble(Double.NaN), p99);
    }

    private static String describeErrno(int errno) {
        return switch (errno) {
            case 5 -> "EIO";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 95 -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return t.isEmpty() ? "(nothing)" : nl < 0 ? t : t.substring(0, nl);
    }
}
