package org.gfs2j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.gfs2j.fs.meta.FileSystemReader;
import picocli.CommandLine;

/** Common part of the read-only verbs: the DEVICE argument and output helpers. */
abstract class ImageVerb implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "DEVICE", description = "GFS2 image file or block device (opened read-only)")
    Path device;

    FileSystemReader open() throws IOException {
        return FileSystemReader.open(device);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void print(List<String> lines) {
        PrintWriter w = out();
        for (String l : lines) {
            w.println(l);
        }
        w.flush();
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
