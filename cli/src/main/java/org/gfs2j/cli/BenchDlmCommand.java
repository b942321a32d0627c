package org.gfs2j.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.gfs2j.bench.dlm.DlmBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gfs2j bench dlm}: lock manager figures against a bare Netty round trip in the same run. */
@Command(name = "dlm", mixinStandardHelpOptions = true,
        description = {"Benchmark the embedded lock manager on loopback: local lock+unlock pairs/s, remote request",
                "latency p50/p99, two-node EX ping-pong transfers/s, each against a bare Netty request/response",
                "round trip measured in the same run, printed as a ratio."})
public final class BenchDlmCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "3", description = "Measured seconds per phase (default ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || seconds > 3600) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--seconds must be in (0, 3600]");
        }
        new DlmBench(Duration.ofMillis((long) (seconds * 1000)), System.out).run();
        return Gfs2jCommand.EXIT_OK;
    }
}
