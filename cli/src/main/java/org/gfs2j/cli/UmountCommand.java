package org.gfs2j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gfs2j.fuse.nativeio.Native;
import org.gfs2j.fuse.nativeio.NativeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code gfs2j umount}: unmounts a gfs2j mount and waits for its daemon to finish. A stale mount
 * (the daemon is gone: "Transport endpoint is not connected") is detached.
 */
@Command(name = "umount", mixinStandardHelpOptions = true,
        description = "Unmount a gfs2j file system (also cleans up a mount whose daemon died).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:unmounted", "1:failed (not a gfs2j mount, busy)", "2:usage error"})
final class UmountCommand implements java.util.concurrent.Callable<Integer> {
    private static final int EBUSY = 16;
    private static final long DAEMON_EXIT_TIMEOUT_S = 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where the file system is mounted.")
    Path mountpoint;

    @Override
    public Integer call() throws Exception {
        Path mp = MountCommand.canonical(mountpoint);
        Optional<MountTable.Mount> m = MountTable.at(mp);
        if (m.isEmpty()) {
            throw new IOException(mp + " is not mounted");
        }
        if (!m.get().isGfs2j()) {
            throw new IOException(mp + " is not a gfs2j mount (it is " + m.get().fstype() + " from " + m.get().source() + ")");
        }
        Optional<MountRegistry.Holder> daemon = MountRegistry.holderOf(mp);
        if (isStale(mp)) {
            Native.umount2(mp.toString(), Native.MNT_DETACH);
            say(mp + ": its daemon was gone (Transport endpoint is not connected); stale mount detached");
            return Gfs2jCommand.EXIT_OK;
        }
        try {
            Native.umount2(mp.toString(), 0);
        } catch (NativeException e) {
            if (e.errno() == EBUSY) {
                throw new IOException(mp + " is busy (a process has a file open or its working directory there);"
                        + " close them and retry, or detach it lazily with `umount -l " + mp + "`");
            }
            throw new IOException("unmounting " + mp + " failed: " + e.getMessage(), e);
        }
        if (daemon.isPresent()) {
            // The device is free only once the daemon has closed it.
            Optional<ProcessHandle> ph = ProcessHandle.of(daemon.get().pid());
            if (ph.isPresent()) {
                try {
                    ph.get().onExit().get(DAEMON_EXIT_TIMEOUT_S, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    say("warning: the daemon (pid " + daemon.get().pid() + ") is still running "
                            + DAEMON_EXIT_TIMEOUT_S + " s after the unmount");
                }
            }
        }
        say(mp + " unmounted");
        return Gfs2jCommand.EXIT_OK;
    }

    /**
     * A FUSE mount whose daemon died answers with ENOTCONN (ECONNABORTED after an abort). Opening
     * the directory asks the daemon (a stat may be answered from the kernel's attribute cache).
     */
    static boolean isStale(Path mp) {
        try (var d = Files.newDirectoryStream(mp)) {
            return false;
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            return msg.contains("Transport endpoint is not connected") || msg.contains("Software caused connection abort");
        }
    }

    private void say(String line) {
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
    }
}
