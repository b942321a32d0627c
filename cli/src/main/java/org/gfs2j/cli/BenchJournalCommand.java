package org.gfs2j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gfs2j.bench.journal.BenchJournal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gfs2j bench journal}: the journal benchmark (commits/s and log MiB/s, small and large
 * transactions, with and without group commit, against fdatasync on the same file system).
 * To be nested under the {@code bench} verb.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Benchmark the journal log against the raw fdatasync rate of the same file system.")
public final class BenchJournalCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Directory for the temporary image (default: the system temp dir).")
    Path dir;

    @Option(names = "--seconds", defaultValue = "1", description = "Seconds per measurement (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per case, median reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--threads", defaultValue = "8", description = "Committing threads for group commit (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--journal-mib", defaultValue = "128", description = "Journal size in MiB (default: ${DEFAULT-VALUE}).")
    int journalMiB;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || rounds < 1 || threads < 1 || journalMiB < 8) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--seconds must be > 0, --rounds >= 1, --threads >= 1, --journal-mib >= 8");
        }
        BenchJournal.Options o = new BenchJournal.Options();
        if (dir != null) {
            o.dir = dir;
        }
        o.seconds = seconds;
        o.rounds = rounds;
        o.threads = threads;
        o.journalMiB = journalMiB;
        BenchJournal.run(o, System.out);
        return Gfs2jCommand.EXIT_OK;
    }
}
