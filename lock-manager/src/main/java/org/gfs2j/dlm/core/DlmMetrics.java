package org.gfs2j.dlm.core;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

/** Dropwizard metrics of one lockspace on one node, named {@code dlm.<lockspace>.<metric>}. */
public final class DlmMetrics {
    final Meter requests;
    final Meter grants;
    final Meter blockingCallbacks;
    final Meter messagesSent;
    final Timer remoteRoundTrip;
    final Histogram queueLength;
    final Timer recovery;

    public DlmMetrics(MetricRegistry registry, String lockspace) {
        String p = "dlm." + lockspace + ".";
        requests = registry.meter(p + "requests");
        grants = registry.meter(p + "grants");
        blockingCallbacks = registry.meter(p + "blockingCallbacks");
        messagesSent = registry.meter(p + "messagesSent");
        remoteRoundTrip = registry.timer(p + "remoteRoundTrip");
        queueLength = registry.histogram(p + "queueLength");
        recovery = registry.timer(p + "recovery");
    }
}
