package dev.reach.shell.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code reach serve} says of itself at {@code /metrics}: requests by path and status code, their time, how
 * many diagnoses run now, and the configuration's reloads. Thread-safe.
 */
final class ServerMetrics {
    private final Map<String, long[]> requests = new TreeMap<>();        // "path code" -> {count}
    private final Map<String, double[]> durations = new TreeMap<>();     // path -> {sum seconds, count}
    private final AtomicInteger inFlight = new AtomicInteger();
    private long reloadsOk;
    private long reloadsFailed;
    private boolean lastReloadOk = true;
    private final long started = System.currentTimeMillis();

    void begin() {
        inFlight.incrementAndGet();
    }

    void end() {
        inFlight.decrementAndGet();
    }

    synchronized void request(String path, int code, double seconds) {
        requests.computeIfAbsent(path + " " + code, k -> new long[1])[0]++;
        double[] d = durations.computeIfAbsent(path, k -> new double[2]);
        d[0] += seconds;
        d[1]++;
    }

    synchronized void reload(boolean ok) {
        if (ok) reloadsOk++;
        else reloadsFailed++;
        lastReloadOk = ok;
    }

    /** The Prometheus text of all of it. */
    synchronized String render() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP reach_serve_requests_total HTTP requests answered, by path and status code.\n");
        b.append("# TYPE reach_serve_requests_total counter\n");
        requests.forEach((k, v) -> {
            int sp = k.lastIndexOf(' ');
            b.append("reach_serve_requests_total{path=\"").append(k, 0, sp).append("\",code=\"").append(k.substring(sp + 1))
                    .append("\"} ").append(v[0]).append('\n');
        });
        b.append("# HELP reach_serve_request_duration_seconds Time to answer HTTP requests, by path.\n");
        b.append("# TYPE reach_serve_request_duration_seconds summary\n");
        durations.forEach((path, d) -> {
            b.append("reach_serve_request_duration_seconds_sum{path=\"").append(path).append("\"} ").append(d[0]).append('\n');
            b.append("reach_serve_request_duration_seconds_count{path=\"").append(path).append("\"} ").append((long) d[1]).append('\n');
        });
        b.append("# HELP reach_serve_in_flight Diagnoses running now.\n# TYPE reach_serve_in_flight gauge\n");
        b.append("reach_serve_in_flight ").append(inFlight.get()).append('\n');
        b.append("# HELP reach_serve_config_reloads_total Reloads of --config (SIGHUP), by result.\n");
        b.append("# TYPE reach_serve_config_reloads_total counter\n");
        b.append("reach_serve_config_reloads_total{result=\"ok\"} ").append(reloadsOk).append('\n');
        b.append("reach_serve_config_reloads_total{result=\"error\"} ").append(reloadsFailed).append('\n');
        b.append("# HELP reach_serve_config_last_reload_successful 1 when the last reload worked (or none was asked for).\n");
        b.append("# TYPE reach_serve_config_last_reload_successful gauge\n");
        b.append("reach_serve_config_last_reload_successful ").append(lastReloadOk ? 1 : 0).append('\n');
        b.append("# HELP reach_serve_start_time_seconds When the server started (Unix time).\n");
        b.append("# TYPE reach_serve_start_time_seconds gauge\n");
        b.append("reach_serve_start_time_seconds ").append(started / 1000.0).append('\n');
        return b.toString();
    }
}
