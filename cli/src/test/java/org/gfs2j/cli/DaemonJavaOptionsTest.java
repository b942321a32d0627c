package org.gfs2j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GFS2J_DAEMON_JAVA_OPTS: its words become the daemon JVM's extra options. */
class DaemonJavaOptionsTest {
    @Test
    void wordsOfTheVariableBecomeOptionsAndNoVariableNone() {
        assertEquals(List.of(), MountCommand.daemonJavaOptions(null));
        assertEquals(List.of(), MountCommand.daemonJavaOptions("   "));
        assertEquals(List.of("-XX:StartFlightRecording=filename=/tmp/d.jfr,settings=profile", "-Xmx2g"),
                MountCommand.daemonJavaOptions("  -XX:StartFlightRecording=filename=/tmp/d.jfr,settings=profile \t -Xmx2g\n"));
    }
}
