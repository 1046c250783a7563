package dev.reach.shell.resident;

import dev.reach.shell.command.CommandTree;
import dev.reach.shell.command.CommonOptions;
import dev.reach.shell.command.ExitCodes;
import dev.reach.shell.command.NameLookups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code reach daemon start|stop|status}: the resident reach of this user and network namespace ({@link Resident}). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Keep one warm reach for this network namespace: commands skip the JVM's start.",
                "",
                "The reach launcher hands 'reach HOST:PORT', diagnose, probe, run, listen",
                "and probes to it when the command would see the same user, network",
                "namespace, /etc/resolv.conf, /etc/hosts and environment, from any directory",
                "(relative paths mean the caller's); otherwise it runs the command in a JVM",
                "of its own. The resident reach stops after --idle without a command, when",
                "the distribution is rebuilt or its sources change, and on 'reach daemon",
                "stop'. REACH_RESIDENT=0 bypasses it; REACH_RESIDENT=explain says why it",
                "declined a command."},
        subcommands = {DaemonCommand.Start.class, DaemonCommand.Stop.class, DaemonCommand.Status.class, DaemonCommand.Serve.class},
        footerHeading = "%nExamples:%n",
        footer = {"  reach daemon start",
                "  reach daemon start --idle 2h",
                "  sudo ip netns exec lab ./reach daemon start   # one per network namespace",
                "  reach daemon status; reach daemon stop"})
public final class DaemonCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --idle}: how long the resident reach waits for a command before it stops. */
    static final class Idle {
        @Option(names = "--idle", paramLabel = "DURATION", defaultValue = "30m", converter = CommonOptions.DurationConverter.class,
                description = "Stop after this long without a command (default ${DEFAULT-VALUE}).")
        Duration value;
    }

    /** The socket of this network namespace's resident, or empty with the reason printed. */
    static Optional<Path> socket(PrintWriter err) {
        try {
            return Optional.of(ResidentPlace.socketFor(ResidentPlace.directory(false), ResidentPlace.netns()));
        } catch (IOException e) {
            err.println("reach: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The resident's PID from its PID file, when that process is alive and is a resident reach. */
    static Optional<ProcessHandle> process(Path socket) {
        try {
            List<String> lines = Files.readAllLines(ResidentPlace.pidFile(socket));
            return ProcessHandle.of(Long.parseLong(lines.getFirst().strip()))
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("daemon serve")).orElse(true));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start the resident reach for this network namespace.",
                    "It warms up on loopback (a few seconds), then says it is ready; its own",
                    "output goes to a log next to its socket."})
    static final class Start implements java.util.concurrent.Callable<Integer> {
        private final CommandTree tree;

        Start(CommandTree tree) {
            this.tree = tree;
        }

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Idle idle;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Duration idle = this.idle.value;
            if (idle.isNegative() || idle.isZero()) {
                err.println("reach: --idle must be more than 0");
                return ExitCodes.USAGE;
            }
            Path socket;
            try {
                socket = ResidentPlace.socketFor(ResidentPlace.directory(true), ResidentPlace.netns());
            } catch (IOException e) {
                err.println("reach: " + e.getMessage());
                return ExitCodes.INTERNAL;
            }
            String status = ResidentWire.ping(socket);
            if (status != null) {
                out.print("reach: already running; " + status);
                out.flush();
                return ExitCodes.HEALTHY;
            }
            Path log = socket.resolveSibling(socket.getFileName().toString().replace(".sock", ".log"));
            List<String> cmd = new ArrayList<>();
            Path setsid = Path.of("/usr/bin/setsid");
            if (Files.isExecutable(setsid)) {
                cmd.add(setsid.toString());    // its own session: closing this terminal does not hang it up
            }
            cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), tree.mainClass().getName(), "daemon", "serve",
                    "--idle", idle.toMillis() + "ms"));
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (p.waitFor(50, TimeUnit.MILLISECONDS)) {
                    err.println("reach: the resident reach stopped at once (exit " + p.exitValue() + "); its log " + log + " ends:");
                    List<String> lines = Files.readAllLines(log);
                    lines.subList(Math.max(0, lines.size() - 10), lines.size()).forEach(l -> err.println("  " + l));
                    return ExitCodes.INTERNAL;
                }
                status = ResidentWire.ping(socket);
                if (status != null) {
                    out.print("reach: started; " + status);
                    out.println("  log " + log + "; 'reach daemon stop' stops it");
                    return ExitCodes.HEALTHY;
                }
            }
            p.destroy();
            err.println("reach: the resident reach did not answer within 60 s; stopped it (log: " + log + ")");
            return ExitCodes.INTERNAL;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop this network namespace's resident reach (SIGTERM to its PID).")
    static final class Stop implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Optional<Path> socket = socket(spec.commandLine().getErr());
            if (socket.isEmpty()) return ExitCodes.INTERNAL;
            Optional<ProcessHandle> p = process(socket.get());
            if (p.isEmpty()) {
                out.println("reach: no resident reach runs for this network namespace");
                return ExitCodes.HEALTHY;
            }
            p.get().destroy();
            try {
                p.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                p.get().destroyForcibly();
            }
            out.println("reach: stopped the resident reach " + p.get().pid());
            return ExitCodes.HEALTHY;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Say whether a resident reach serves this network namespace, since when.",
                    "Exit 0 when one does, 1 when none does."})
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Optional<Path> socket = socket(spec.commandLine().getErr());
            if (socket.isEmpty()) return ExitCodes.INTERNAL;
            String status = ResidentWire.ping(socket.get());
            if (status == null) {
                spec.commandLine().getOut().println("reach: no resident reach runs for this network namespace");
                return ExitCodes.FAULT;
            }
            spec.commandLine().getOut().print(status);
            spec.commandLine().getOut().flush();
            return ExitCodes.HEALTHY;
        }
    }

    @Command(name = "serve", hidden = true, mixinStandardHelpOptions = true,
            description = "Be the resident reach, in the foreground (what 'start' runs; a service manager may run it too).")
    static final class Serve implements java.util.concurrent.Callable<Integer> {
        private final CommandTree tree;

        Serve(CommandTree tree) {
            this.tree = tree;
        }

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Idle idle;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            NameLookups.fresh();
            String checkout = System.getProperty("reach.checkout");
            Resident r;
            try {
                r = Resident.bind(idle.value, checkout == null ? null : Path.of(checkout), tree);
            } catch (IOException e) {
                err.println("reach: " + e.getMessage());
                return ExitCodes.INTERNAL;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(r::close));   // SIGTERM ('reach daemon stop'): socket and PID file go
            Thread serving = Thread.ofPlatform().name("resident-accept").start(r::serve);
            r.warmUp();
            err.println("reach: ready; " + r.status().strip());
            err.flush();
            try {
                serving.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.println("reach: stopped: " + r.stopReason());
            err.flush();
            return ExitCodes.HEALTHY;
        }
    }
}
