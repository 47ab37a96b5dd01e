package network.aios.bench;

import java.util.Arrays;

/** Latency percentiles and throughput of one measured run. */
record Stats(int ops, double seconds, long[] latenciesNanos) {
    double perSecond() {
        return ops / seconds;
    }

    double percentileMillis(double p) {
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
