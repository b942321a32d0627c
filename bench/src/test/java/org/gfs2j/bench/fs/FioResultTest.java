package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class FioResultTest {
    private static String report(int error, long ioBytes) {
        return """
                fio: file hash not empty on exit
                {
                  "fio version" : "fio-3.33",
                  "jobs" : [ {
                      "jobname" : "rand-read-qd1", "error" : %d,
                      "read" : { "io_bytes" : %d, "bw_bytes" : 41943040, "iops" : 10240.5,
                        "clat_ns" : { "mean" : 95000.0,
                          "percentile" : { "50.000000" : 90112, "99.000000" : 250880 } } },
                      "write" : { "io_bytes" : 0, "bw_bytes" : 0, "iops" : 0.0,
                        "clat_ns" : { "mean" : 0.0 } }
                  } ]
                }
                """.formatted(error, ioBytes);
    }

    @Test
    void readsBandwidthIopsAndLatencyAfterLeadingWarnings() throws IOException {
        FioResult r = FioResult.parse(report(0, 209715200), "read");
        assertEquals(40.0, r.mibPerSecond(), 1e-9);
        assertEquals(10240.5, r.iops(), 1e-9);
        assertEquals(95000.0, r.clatMeanNanos(), 1e-9);
        assertEquals(250880.0, r.clatP99Nanos(), 1e-9);
        assertEquals(209715200L, r.ioBytes());
    }

    @Test
    void aJobErrorIsAnExceptionNamingTheErrno() {
        IOException e = assertThrows(IOException.class, () -> FioResult.parse(report(95, 4096), "read"));
        assertTrue(e.getMessage().contains("EOPNOTSUPP"), e.getMessage());
    }

    @Test
    void aJobThatMovedNoDataIsAnExceptionNotAZero() {
        IOException e = assertThrows(IOException.class, () -> FioResult.parse(report(0, 4096), "write"));
        assertTrue(e.getMessage().contains("moved no data"), e.getMessage());
    }

    @Test
    void outputWithoutJsonIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> FioResult.parse("fio: failed parsing ioengine=nope\n", "read"));
        assertTrue(e.getMessage().contains("no JSON report"), e.getMessage());
    }
}
