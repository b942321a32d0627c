package org.gfs2j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gfs2j} command. Exit codes: 0 success, 1 errors found or operation failed, 2 usage
 * error. Each verb is its own class, registered in {@code subcommands}.
 */
@Command(name = "gfs2j",
        mixinStandardHelpOptions = true,
        versionProvider = Gfs2jCommand.Version.class,
        description = "A cluster file system with GFS2's on-disk format, mounted through FUSE.",
        subcommands = {
                CommandLine.HelpCommand.class,
                MkfsCommand.class,
                LsCommand.class, CatCommand.class, StatCommand.class, GetfattrCommand.class, ShowCommand.class,
                MountCommand.class, UmountCommand.class,
                BenchCommand.class,
        })
public final class Gfs2jCommand implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a verb is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code, without exiting (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Gfs2jCommand());
        cl.setExecutionExceptionHandler(new ErrorReporter());
        return cl;
    }

    /** Operational failures are reported as one clear line; the stack trace only with GFS2J_DEBUG. */
    static final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            cl.getErr().println("gfs2j " + cl.getCommandName() + ": " + msg);
            if (System.getenv("GFS2J_DEBUG") != null) {
                e.printStackTrace(cl.getErr());
            }
            return EXIT_FAILED;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Gfs2jCommand.class.getPackage().getImplementationVersion();
            return new String[] {"gfs2j " + (v == null ? "development build" : v)};
        }
    }
}
