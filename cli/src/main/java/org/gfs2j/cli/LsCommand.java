package org.gfs2j.cli;

import java.io.PrintWriter;
import org.gfs2j.fs.inspect.Listing;
import org.gfs2j.fs.meta.FileSystemReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List a directory of a GFS2 image without mounting it (names sorted bytewise).")
final class LsCommand extends ImageVerb {
    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "Path inside the file system (default /)")
    String path = "/";

    @Option(names = "-l", description = "Long format: mode, links, uid, gid, size (or major, minor), mtime (UTC), name")
    boolean longFormat;

    @Option(names = "-R", description = "Recurse into subdirectories")
    boolean recursive;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = out();
        try (FileSystemReader fs = open()) {
            new Listing(fs, longFormat, recursive, w::println).list(path);
        } finally {
            w.flush();
        }
        return Gfs2jCommand.EXIT_OK;
    }
}
