package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and tool versions a run was made on, for the report. */
public final class MachineInfo {
    private MachineInfo() {
    }

    public static Map<String, String> collect(Path workdir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", cpuModel() + " (" + Runtime.getRuntime().availableProcessors() + " cores visible)");
        m.put("memory", memory());
        m.put("kernel", read("/proc/sys/kernel/osrelease"));
        m.put("OS", osName());
        m.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("fio", command("fio", "--version"));
        m.put("backing storage", backing(workdir));
        return m;
    }

    /** The 1-minute load average: how busy the machine was with other work while we measured. */
    public static String loadAverage() {
        String s = read("/proc/loadavg");
        return s.equals("unknown") ? s : s.split("\\s+")[0];
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D+", ""));
                    return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return "unknown";
    }

    private static String osName() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.name");
    }

    private static String backing(Path workdir) {
        try {
            Commands.Result r = Commands.run(Duration.ofSeconds(10), "df", "--output=source,fstype",
                    workdir.toAbsolutePath().toString());
            String[] lines = r.stdout().strip().split("\n");
            if (r.ok() && lines.length >= 2) {
                String[] f = lines[1].strip().split("\\s+");
                String dev = f[0];
                String rotational = read("/sys/class/block/" + Path.of(dev).getFileName() + "/queue/rotational");
                String kind = rotational.equals("0") ? ", non-rotational" : rotational.equals("1") ? ", rotational" : "";
                return "images are sparse files on " + dev + " (" + (f.length > 1 ? f[1] : "?") + kind + ")";
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    private static String command(String... cmd) {
        try {
            Commands.Result r = Commands.run(Duration.ofSeconds(10), cmd);
            return r.ok() ? r.stdout().strip() : "not available";
        } catch (IOException e) {
            return "not available";
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
