package org.gfs2j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
    private static int run(StringWriter err, String... args) {
        CommandLine cl = Gfs2jCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void benchWithoutABenchmarkIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(Gfs2jCommand.EXIT_USAGE, run(err, "bench"));
        assertTrue(err.toString().contains("a benchmark is required"), err.toString());
    }

    @Test
    void unknownTargetIsAUsageErrorNamingTheKnownOnes() {
        StringWriter err = new StringWriter();
        assertEquals(Gfs2jCommand.EXIT_USAGE, run(err, "bench", "fs", "--targets=ext4,zfs"));
        assertTrue(err.toString().contains("unknown target 'zfs' (known: gfs2j, ext4, bindfs)"), err.toString());
    }

    @Test
    void badOrTooSmallImageSizeIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(Gfs2jCommand.EXIT_USAGE, run(err, "bench", "fs", "--image-size=lots"));
        assertTrue(err.toString().contains("not a size: 'lots'"), err.toString());
        assertEquals(Gfs2jCommand.EXIT_USAGE, run(new StringWriter(), "bench", "fs", "--image-size=1M"));
        assertEquals(Gfs2jCommand.EXIT_USAGE, run(new StringWriter(), "bench", "fs", "--repetitions=0"));
    }

    @Test
    void sizesTakeBinarySuffixes() {
        assertEquals(4L << 30, BenchCommand.Fs.parseSize("4G"));
        assertEquals(512L << 20, BenchCommand.Fs.parseSize("512MiB"));
        assertEquals(1000L, BenchCommand.Fs.parseSize("1000"));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.Fs.parseSize("G"));
    }
}
