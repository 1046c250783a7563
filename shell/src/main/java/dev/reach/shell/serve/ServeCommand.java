package dev.reach.shell.serve;

import dev.reach.core.Reach;
import dev.reach.shell.command.CommonOptions;
import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code reach serve}: the diagnosis as a Prometheus exporter and an HTTP API, in the blackbox_exporter's multi-target
 * style ({@code /probe?target=...&module=...}), so its relabelling recipe works unchanged. Loopback only unless a
 * token guards it; {@code --config} names modules and may limit the targets; SIGHUP reloads it.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve diagnoses over HTTP: a Prometheus exporter (blackbox_exporter's way) and an API.",
                "  /probe?target=HOST:PORT   one diagnosis, in the Prometheus text format",
                "                            (&format=json: the reach.run/1 report)",
                "  /metrics                  how the server does;  /-/healthy  whether it is up",
                "docs/metrics.md lists what it exports."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach serve                            # http://127.0.0.1:9720/",
                "  curl 'http://127.0.0.1:9720/probe?target=127.0.0.1:5432'",
                "  reach serve --config serve.yaml        # modules, an allow list; kill -HUP reloads",
                "  reach serve --listen 0.0.0.0:9720 --token-file /etc/reach/token",
                "",
                "The README's 'Monitoring with Prometheus / Nagios' has the scrape configuration",
                "to copy."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9720",
            description = "Where to listen (default: ${DEFAULT-VALUE}). An address other than loopback needs --token-file.")
    String listen;

    @Option(names = "--no-history", description = "Do not record the diagnoses served in the run history (also REACH_HISTORY=off).")
    boolean noHistory;

    @Option(names = "--config", paramLabel = "FILE", description = "Modules (a playbook with fixed inputs) and an allow list of targets; SIGHUP reloads it.")
    Path config;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the token every request but /-/healthy must send as 'Authorization: Bearer TOKEN'.")
    Path tokenFile;

    @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "4",
            description = "Diagnoses at once (default: ${DEFAULT-VALUE}); a request beyond them gets 503.")
    int maxConcurrent;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = CommonOptions.DurationConverter.class,
            description = "A diagnosis's deadline unless its module says otherwise (default: ${DEFAULT-VALUE}); a scrape's own"
                    + " timeout (X-Prometheus-Scrape-Timeout-Seconds) less 0.5 s shortens it.")
    Duration timeout;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InetSocketAddress address;
        try {
            address = address(listen);
        } catch (IllegalArgumentException e) {
            err.println("reach: serve --listen " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (maxConcurrent < 1 || maxConcurrent > 256) {
            err.println("reach: serve --max-concurrent " + maxConcurrent + ": from 1 to 256");
            return ExitCodes.USAGE;
        }
        if (timeout.isZero() || timeout.isNegative()) {
            err.println("reach: serve --timeout must be more than 0");
            return ExitCodes.USAGE;
        }
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                err.println("reach: serve --token-file " + tokenFile + ": cannot read it: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                err.println("reach: serve --token-file " + tokenFile + ": the token must be at least 16 printable characters"
                        + " on one line (openssl rand -hex 32 > " + tokenFile + ")");
                return ExitCodes.USAGE;
            }
        } else if (!address.getAddress().isLoopbackAddress()) {
            err.println("reach: serve --listen " + listen + " is not a loopback address: anyone who reaches it could make this"
                    + " machine probe anything. Give --token-file FILE (clients send 'Authorization: Bearer TOKEN'),"
                    + " or listen on 127.0.0.1.");
            return ExitCodes.USAGE;
        }
        ServeConfig cfg = ServeConfig.NONE;
        if (config != null) {
            try {
                cfg = ServeConfig.load(config);
            } catch (ServeConfig.Invalid e) {
                e.problems().forEach(p -> err.println(p));
                err.println("reach: serve --config " + config + " has " + e.problems().size() + " problem(s); not started");
                return ExitCodes.USAGE;
            }
        }
        // every diagnosis looks the name up again: a fault must not hide behind an answer cached by an earlier one
        java.security.Security.setProperty("networkaddress.cache.ttl", "0");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
        try (Reach reach = common.reach(false);
             ProbeServer server = new ProbeServer(reach, address, cfg, token, maxConcurrent, timeout);
             var history = dev.reach.shell.history.Recorder.fromEnvironment(noHistory, "serve", System::getenv).prepare()) {
            server.history(history, err);
            server.start();
            reloadOnHangUp(server, err);
            InetSocketAddress at = server.address();
            String host = at.getAddress() instanceof java.net.Inet6Address ? "[" + at.getHostString() + "]" : at.getHostString();
            out.println("reach: serving on http://" + host + ":" + at.getPort() + "/ (pid " + ProcessHandle.current().pid() + "): "
                    + "/probe?target=HOST:PORT, /metrics, /-/healthy" + (token != null ? "; a bearer token is required" : "")
                    + (cfg.file() != null ? "; " + cfg.modules().size() + " module(s) from " + cfg.file() : ""));
            out.flush();
            new CountDownLatch(1).await();     // until SIGTERM or Ctrl-C end the process
            return ExitCodes.HEALTHY;
        } catch (java.net.BindException e) {
            err.println("reach: serve cannot listen on " + listen + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    /**
     * SIGHUP reads --config again; a file with a mistake leaves the running configuration as it is. Without --config
     * there is nothing to reload, and SIGHUP says so (rather than end the server, the JVM's default).
     */
    private void reloadOnHangUp(ProbeServer server, PrintWriter err) {
        try {
            sun.misc.Signal hup = new sun.misc.Signal("HUP");
            sun.misc.SignalHandler reload = sig -> {
                if (config == null) {
                    err.println("reach: serve: SIGHUP: no --config to reload");
                    err.flush();
                    return;
                }
                try {
                    ServeConfig next = ServeConfig.load(config);
                    server.reconfigure(next);
                    err.println("reach: serve: reloaded " + config + " (" + next.modules().size() + " module(s))");
                } catch (ServeConfig.Invalid e) {
                    server.reloadFailed();
                    e.problems().forEach(err::println);
                    err.println("reach: serve: " + config + " not reloaded; the configuration before it stays");
                }
                err.flush();
            };
            if (sun.misc.Signal.handle(hup, reload) == sun.misc.SignalHandler.SIG_IGN) {
                // started ignoring SIGHUP (nohup, some supervisors): the JVM then never sees it, so take it back
                if (defaultDisposition(SIGHUP)) {
                    sun.misc.Signal.handle(hup, reload);
                } else {
                    err.println("reach: serve: SIGHUP is ignored in this process (started under nohup?); restart to reload --config");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("reach: serve: SIGHUP cannot be handled here (" + e.getMessage() + "); restart to reload --config");
        }
    }

    private static final int SIGHUP = 1;   // Linux

    /** Sets the signal's disposition back to the default (libc's signal(2), through FFM); false when it cannot. */
    static boolean defaultDisposition(int signal) {
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            var call = linker.downcallHandle(linker.defaultLookup().find("signal").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.ADDRESS,
                            java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS));
            var previous = (java.lang.foreign.MemorySegment) call.invokeExact(signal, java.lang.foreign.MemorySegment.NULL);
            return previous.address() != -1L;                                  // SIG_ERR
        } catch (Throwable t) {                                               // no native access, no libc: say so
            return false;
        }
    }

    /** {@code HOST:PORT} as an address to bind: a literal address or localhost, never a name looked up. */
    static InetSocketAddress address(String listen) {
        HostPort hp = HostPort.parse(listen);
        if (hp.port() == null) throw new IllegalArgumentException("'" + listen + "': write HOST:PORT, like 127.0.0.1:9720");
        int port;
        try {
            port = Integer.parseInt(hp.port());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + listen + "': the port is a number from 0 to 65535");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("'" + listen + "': the port is a number from 0 to 65535");
        InetAddress a;
        if (hp.host().equalsIgnoreCase("localhost")) {
            a = InetAddress.getLoopbackAddress();
        } else {
            a = ServeConfig.literal(hp.host()).orElseThrow(() -> new IllegalArgumentException(
                    "'" + listen + "': the host is an address (127.0.0.1, ::1, 0.0.0.0), not a name"));
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(a.getAddress()), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + listen + "': " + e.getMessage());
        }
    }
}
