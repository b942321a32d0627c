package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code gfs2j bench fs --profile}: the gfs2j daemon runs with a JDK Flight Recorder recording
 * ({@link #daemonJavaOptions}), and after the run this class cuts the recording into the time
 * windows in which each workload was measured on gfs2j and summarizes every window: where the CPU
 * went (execution samples by method and by the innermost gfs2j frame), what the threads did in
 * native code that was not idling (system calls: device reads, writes to /dev/fuse), where they
 * waited for locks (parks and monitor contention over 1 ms), slow device I/O, fsyncs and GC.
 *
 * <p>JFR samples Java threads every 10 ms (execution) and 20 ms (native); a window of a few
 * seconds thus gives hundreds of samples: enough to name the hot spots, not to rank close ones.
 */
public final class JfrProfile {
    /** Stack frames that mean "waiting for work", not "waiting for something the work needs". */
    private static final List<String> IDLE_FRAMES = List.of(
            "DevFuseChannel.read", "ThreadPoolExecutor.getTask", "SynchronousQueue", "LinkedBlockingQueue.take",
            "ProcessHandleImpl", "ReferenceQueue", "EPoll.wait", "Process.waitFor", "CountDownLatch.await",
            "ForkJoinPool.awaitWork", "DelayedWorkQueue.take", "SessionNotifier", "Object.wait");
    private static final int TOP = 6;

    /** One measured repetition of a workload on the profiled target. */
    public record Window(String workload, Instant start, Instant end) {
        boolean contains(Instant t) {
            return !t.isBefore(start) && !t.isAfter(end);
        }
    }

    /** The summary of one workload: markdown list items, one per aspect. */
    public record WorkloadProfile(String workload, double seconds, List<String> lines) {
    }

    private JfrProfile() {
    }

    /**
     * The JVM options that make the daemon record to {@code recording}; writes the event settings
     * next to it ({@code gfs2j.jfc}).
     */
    public static String daemonJavaOptions(Path recording) throws IOException {
        Path settings = recording.resolveSibling("gfs2j.jfc");
        Files.writeString(settings, settingsXml(), StandardCharsets.UTF_8);
        Files.deleteIfExists(recording);
        return "-XX:StartFlightRecording=filename=" + recording + ",settings=" + settings + ",dumponexit=true"
                + " -XX:FlightRecorderOptions=stackdepth=96";
    }

    /** The events the summary uses, with thresholds low enough to see lock waits of a few ms. */
    static String settingsXml() {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<configuration version=\"2.0\" label=\"gfs2j bench\">\n");
        event(b, "jdk.ExecutionSample", "<setting name=\"period\">10 ms</setting>");
        event(b, "jdk.NativeMethodSample", "<setting name=\"period\">20 ms</setting>");
        for (String e : List.of("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.FileRead", "jdk.FileWrite")) {
            event(b, e, "<setting name=\"stackTrace\">true</setting><setting name=\"threshold\">1 ms</setting>");
        }
        event(b, "jdk.FileForce", "<setting name=\"stackTrace\">true</setting><setting name=\"threshold\">0 ms</setting>");
        event(b, "jdk.GarbageCollection", "<setting name=\"threshold\">0 ms</setting>");
        event(b, "jdk.ObjectAllocationSample",
                "<setting name=\"stackTrace\">true</setting><setting name=\"throttle\">300/s</setting>");
        return b.append("</configuration>\n").toString();
    }

    private static void event(StringBuilder b, String name, String settings) {
        b.append("  <event name=\"").append(name).append("\"><setting name=\"enabled\">true</setting>")
                .append(settings).append("</event>\n");
    }

    /** Summarizes {@code recording} per workload, in the order of the first window of each. */
    public static List<WorkloadProfile> summarize(Path recording, List<Window> windows) throws IOException {
        Map<String, Acc> byWorkload = new LinkedHashMap<>();
        for (Window w : windows) {
            byWorkload.computeIfAbsent(w.workload(), Acc::new).seconds +=
                    Duration.between(w.start(), w.end()).toMillis() / 1000.0;
        }
        try (RecordingFile f = new RecordingFile(recording)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                Window w = windowOf(windows, e.getStartTime());
                if (w != null) {
                    byWorkload.get(w.workload()).add(e);
                }
            }
        }
        List<WorkloadProfile> out = new ArrayList<>();
        for (Acc a : byWorkload.values()) {
            out.add(new WorkloadProfile(a.workload, a.seconds, a.lines()));
        }
        return out;
    }

    private static Window windowOf(List<Window> windows, Instant t) {
        for (Window w : windows) {
            if (w.contains(t)) {
                return w;
            }
        }
        return null;
    }

    /** What one workload's windows collected. */
    private static final class Acc {
        final String workload;
        double seconds;
        long cpuSamples;
        final Map<String, Long> cpuSelf = new HashMap<>();
        final Map<String, Long> cpuGfs2j = new HashMap<>();
        long nativeSamples;
        final Map<String, Long> nativeWhere = new HashMap<>();
        long waits;
        double waitMs;
        final Map<String, Double> waitWhere = new HashMap<>();
        final Map<String, double[]> io = new LinkedHashMap<>(); // kind -> {count, ms, bytes}
        final Map<String, Long> fsyncWhere = new HashMap<>();
        long gcs;
        double gcPauseMs;
        double allocBytes;
        final Map<String, Double> allocWhere = new HashMap<>();

        Acc(String workload) {
            this.workload = workload;
        }

        void add(RecordedEvent e) {
            String type = e.getEventType().getName();
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    List<RecordedFrame> frames = frames(e);
                    if (frames.isEmpty()) {
                        return;
                    }
                    cpuSamples++;
                    cpuSelf.merge(name(frames.get(0)), 1L, Long::sum);
                    cpuGfs2j.merge(innermostGfs2j(frames), 1L, Long::sum);
                }
                case "jdk.NativeMethodSample" -> {
                    List<RecordedFrame> frames = frames(e);
                    if (frames.isEmpty() || idle(frames)) {
                        return;
                    }
                    nativeSamples++;
                    nativeWhere.merge(name(frames.get(0)) + " ← " + gfs2jChain(frames, 3), 1L, Long::sum);
                }
                case "jdk.ThreadPark", "jdk.JavaMonitorEnter" -> {
                    List<RecordedFrame> frames = frames(e);
                    if (idle(frames)) {
                        return;
                    }
                    double ms = e.getDuration().toNanos() / 1e6;
                    waits++;
                    waitMs += ms;
                    String what = type.equals("jdk.JavaMonitorEnter") ? "monitor " + monitorClass(e)
                            : "park " + parkedOn(e);
                    waitWhere.merge(gfs2jChain(frames, 2) + " (" + what + ")", ms, Double::sum);
                }
                case "jdk.FileRead", "jdk.FileWrite", "jdk.FileForce" -> {
                    double[] a = io.computeIfAbsent(type, k -> new double[3]);
                    a[0]++;
                    a[1] += e.getDuration().toNanos() / 1e6;
                    if (!type.equals("jdk.FileForce")) {
                        a[2] += Math.max(0, e.getLong(type.equals("jdk.FileRead") ? "bytesRead" : "bytesWritten"));
                    } else {
                        fsyncWhere.merge(requester(frames(e)), 1L, Long::sum);
                    }
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                }
                case "jdk.ObjectAllocationSample" -> {
                    double w = e.getLong("weight");
                    allocBytes += w;
                    allocWhere.merge(innermostGfs2j(frames(e)), w, Double::sum);
                }
                default -> {
                }
            }
        }

        List<String> lines() {
            List<String> out = new ArrayList<>();
            if (cpuSamples == 0 && nativeSamples == 0 && waits == 0) {
                out.add("no samples from the gfs2j daemon in this workload's windows");
                return out;
            }
            out.add(String.format(Locale.ROOT, "CPU: %,d samples (about %.1f s of CPU in %.1f s, 10 ms sampling);"
                    + " by innermost gfs2j frame: %s; hottest methods: %s", cpuSamples, cpuSamples / 100.0, seconds,
                    shares(cpuGfs2j, cpuSamples), shares(cpuSelf, cpuSamples)));
            out.add(String.format(Locale.ROOT, "in native code, not idle: %,d samples (20 ms sampling): %s",
                    nativeSamples, shares(nativeWhere, nativeSamples)));
            out.add(String.format(Locale.ROOT, "lock waits over 1 ms: %,d, %,.0f ms in total: %s", waits, waitMs,
                    millis(waitWhere)));
            StringBuilder io = new StringBuilder();
            this.io.forEach((k, a) -> io.append(io.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                    "%s %,d (%,.0f ms%s)", k.equals("jdk.FileRead") ? "reads over 1 ms"
                            : k.equals("jdk.FileWrite") ? "writes over 1 ms" : "fsyncs", (long) a[0], a[1],
                    k.equals("jdk.FileForce") ? "" : String.format(Locale.ROOT, ", %s", bytes((long) a[2])))));
            out.add("device file I/O: " + (io.length() == 0 ? "no reads or writes over 1 ms, no fsync" : io)
                    + (fsyncWhere.isEmpty() ? "" : "; fsyncs by the file-system code that asked for them: "
                    + shares(fsyncWhere, this.io.get("jdk.FileForce")[0])));
            out.add(String.format(Locale.ROOT, "GC: %,d collections, %,.0f ms paused; allocation about %s/s, by"
                    + " innermost gfs2j frame: %s", gcs, gcPauseMs,
                    bytes((long) (allocBytes / Math.max(seconds, 0.001))), shares(allocWhere, allocBytes)));
            return out;
        }
    }

    private static List<RecordedFrame> frames(RecordedEvent e) {
        RecordedStackTrace st = e.getStackTrace();
        return st == null ? List.of() : st.getFrames();
    }

    private static boolean idle(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            for (String idle : IDLE_FRAMES) {
                if (n.contains(idle)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Simple class name and method: "BufferCache.lookup". */
    static String name(RecordedFrame f) {
        String cls = f.getMethod().getType().getName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    /** The innermost frame of our own code, which says which part of gfs2j the sample belongs to. */
    static String innermostGfs2j(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("org.gfs2j.")) {
                return name(f);
            }
        }
        return frames.isEmpty() ? "(no stack)" : "(outside gfs2j) " + name(frames.get(0));
    }

    /**
     * The {@code n} innermost frames of gfs2j's own code, skipping the native-call glue (jnr stubs,
     * {@code org.gfs2j.fuse.nativeio}): "DevFuseChannel.write ← Reply.send ← Dispatcher.read".
     */
    static String gfs2jChain(List<RecordedFrame> frames, int n) {
        List<String> chain = new ArrayList<>();
        for (RecordedFrame f : frames) {
            String cls = f.getMethod().getType().getName();
            if (cls.startsWith("org.gfs2j.") && !cls.contains("$jnr$") && !cls.startsWith("org.gfs2j.fuse.nativeio.")) {
                chain.add(name(f));
                if (chain.size() == n) {
                    break;
                }
            }
        }
        return chain.isEmpty() ? innermostGfs2j(frames) : String.join(" ← ", chain);
    }

    /** Plumbing between a file-system operation and the fsync: the journal, transactions, caches, devices. */
    private static final List<String> FSYNC_PLUMBING = List.of("org.gfs2j.journal.", "org.gfs2j.fs.cache.");

    /** The innermost gfs2j frame above the journal and cache plumbing: who wanted the data durable. */
    static String requester(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String cls = f.getMethod().getType().getName();
            if (cls.startsWith("org.gfs2j.") && FSYNC_PLUMBING.stream().noneMatch(cls::startsWith)) {
                return name(f);
            }
        }
        return innermostGfs2j(frames);
    }

    private static String monitorClass(RecordedEvent e) {
        try {
            jdk.jfr.consumer.RecordedClass c = e.getValue("monitorClass");
            return c == null ? "?" : simple(c.getName());
        } catch (IllegalArgumentException ex) {
            return "?";
        }
    }

    private static String parkedOn(RecordedEvent e) {
        try {
            jdk.jfr.consumer.RecordedClass c = e.getValue("parkedClass");
            return c == null ? "?" : simple(c.getName());
        } catch (IllegalArgumentException ex) {
            return "?";
        }
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.0f MiB", n / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.0f KiB", n / 1024.0);
    }

    private static String simple(String cls) {
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    /** The top entries as "`name` 41%". */
    static String shares(Map<String, ? extends Number> counts, double total) {
        if (total <= 0 || counts.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        counts.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, ? extends Number> x) -> x.getValue().doubleValue())
                        .reversed())
                .limit(TOP)
                .forEach(x -> parts.add(String.format(Locale.ROOT, "`%s` %.0f%%", x.getKey(),
                        100.0 * x.getValue().doubleValue() / total)));
        return String.join(", ", parts);
    }

    private static String millis(Map<String, Double> ms) {
        if (ms.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        ms.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(TOP)
                .forEach(x -> parts.add(String.format(Locale.ROOT, "`%s` %,.0f ms", x.getKey(), x.getValue())));
        return String.join(", ", parts);
    }
}
