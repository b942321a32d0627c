package org.gfs2j.bench.fs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run produced: per target whether it could be measured, every sample of every
 * figure, workloads that failed and why, and notes for the report (caches not dropped, ...).
 */
public final class Results {
    /** A target as the report lists it; {@code unavailable} is null when it was measured. */
    public record TargetStatus(String name, String description, String versions, String unavailable) {
        public boolean available() {
            return unavailable == null;
        }
    }

    private final BenchScale scale;
    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, String> workloadOfFigure = new LinkedHashMap<>();
    private final List<TargetStatus> targets = new ArrayList<>();
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> failures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private Instant started = Instant.now();
    private Duration elapsed = Duration.ZERO;
    private Map<String, String> machine = Map.of();
    private String profiledTarget;
    private final List<JfrProfile.WorkloadProfile> profiles = new ArrayList<>();

    public Results(BenchScale scale, List<Workload> workloads) {
        this.scale = scale;
        for (Workload w : workloads) {
            for (Figure f : w.figures()) {
                figures.add(f);
                workloadOfFigure.put(f.id(), w.id());
            }
        }
    }

    public BenchScale scale() {
        return scale;
    }

    public List<Figure> figures() {
        return List.copyOf(figures);
    }

    public String workloadOf(Figure f) {
        return workloadOfFigure.get(f.id());
    }

    public synchronized void addTarget(TargetStatus status) {
        targets.removeIf(t -> t.name().equals(status.name()));
        targets.add(status);
    }

    public synchronized List<TargetStatus> targets() {
        return List.copyOf(targets);
    }

    public synchronized TargetStatus target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public synchronized void addSample(String target, String figureId, double value) {
        if (!workloadOfFigure.containsKey(figureId)) {
            throw new IllegalArgumentException("unknown figure " + figureId);
        }
        samples.computeIfAbsent(target, t -> new LinkedHashMap<>())
                .computeIfAbsent(figureId, f -> new ArrayList<>()).add(value);
    }

    /** The samples of one figure on one target, in the order measured (empty if none). */
    public synchronized List<Double> samples(String target, String figureId) {
        return List.copyOf(samples.getOrDefault(target, Map.of()).getOrDefault(figureId, List.of()));
    }

    public synchronized void addFailure(String target, String workload, String reason) {
        failures.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(workload, reason);
    }

    /** Workload id to reason, for the workloads that failed on this target. */
    public synchronized Map<String, String> failures(String target) {
        return Map.copyOf(failures.getOrDefault(target, Map.of()));
    }

    public synchronized void addNote(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    public synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    /** Figures with no sample on a target that was measured: what the quick smoke test checks. */
    public synchronized List<String> missingFigures(String target) {
        List<String> missing = new ArrayList<>();
        for (Figure f : figures) {
            if (samples(target, f.id()).isEmpty()) {
                missing.add(f.id());
            }
        }
        return missing;
    }

    public void timing(Instant started, Duration elapsed) {
        this.started = started;
        this.elapsed = elapsed;
    }

    public Instant started() {
        return started;
    }

    public Duration elapsed() {
        return elapsed;
    }

    public void machine(Map<String, String> machine) {
        this.machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
    }

    /** Machine and tool versions, in the order collected. */
    public Map<String, String> machine() {
        return machine;
    }

    /** The JFR summaries of {@code target}'s workloads ({@code --profile}). */
    public synchronized void profiles(String target, List<JfrProfile.WorkloadProfile> summaries) {
        profiledTarget = target;
        profiles.clear();
        profiles.addAll(summaries);
    }

    public synchronized String profiledTarget() {
        return profiledTarget;
    }

    public synchronized List<JfrProfile.WorkloadProfile> profiles() {
        return List.copyOf(profiles);
    }
}
