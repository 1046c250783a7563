package dev.reach.plugins.host;

import dev.reach.spi.Judgement;
import dev.reach.spi.Needs;
import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Status;
import org.pf4j.Extension;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Says whether a service runs: under systemd, the unit's state and, when it is not running, the last
 * lines its journal holds; without systemd (containers), whether a process of that name runs.
 *
 * <pre>
 * $ reach probe service.status service=nginx
 * fail [service.inactive]: nginx.service is failed (result exit-code, exit status 1): it is not running; ...
 *   systemctl show nginx.service: LoadState=loaded ActiveState=failed SubState=failed Result=exit-code
 *   journal: 2026-11-25T17:02:11+0000 web1 nginx[812]: bind() to 0.0.0.0:80 failed (98: Address already in use)
 * </pre>
 */
@Extension
public final class ServiceStatusProbe implements Probe {

    static final ProbeSpec SPEC = ProbeSpec.builder("service.status", "Says whether a service (systemd unit or process) runs, and why not")
            .param(Param.string("service", "systemd unit (nginx or nginx.service) or process name").required()
                    .matching("[^-].*", "a unit or process name: a name does not start with '-'"))
            .param(Param.integer("lines", "journal lines to quote when the unit is not running").defaultValue(10).range(1, 200))
            .param(Param.integer("count", "journal lines to quote when the unit is not running").range(1, 200).deprecated("lines=N"))
            .fact("mode", "string", "systemd (unit state) or process (no systemd: process names)")
            .fact("unit", "string", "the unit checked")
            .fact("active_state", "string", "systemd ActiveState: active, inactive, failed, activating...")
            .fact("sub_state", "string", "systemd SubState: running, dead, exited, auto-restart...")
            .fact("result", "string", "systemd Result of the last run: success, exit-code, signal, timeout...")
            .fact("restarts", "integer", "systemd NRestarts")
            .fact("pids", "list", "processes found (main PID under systemd)")
            .needs(Needs.NOTHING)
            .example("reach probe service.status service=postgresql")
            .example("reach probe service.status service=sshd lines=20")
            .about("systemd unit state and its last journal lines, or a process by name without systemd "
                    + "(`service.inactive`).")
            .causes("service.inactive")
            .build();

    /** What was found; {@code props} empty in process mode. */
    record State(String mode, String name, Map<String, String> props, List<Long> pids) {
        String prop(String key) {
            return props.getOrDefault(key, "");
        }
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        String name = params.string("service");
        List<String> evidence = new ArrayList<>();
        State state = null;
        if (Files.isDirectory(Path.of("/run/systemd/system")) && ctx.privileges().tool("systemctl").isPresent()) {
            String unit = name.contains(".") ? name : name + ".service";
            Exec show = Exec.run(ctx, Duration.ofSeconds(5), showCommand(unit));
            Map<String, String> props = parseShow(show.out());
            evidence.add("systemctl show " + unit + ": " + String.join(" ", props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            if (show.ok() && !props.getOrDefault("LoadState", "not-found").equals("not-found")) {
                long main = parseLong(props.get("MainPID"));
                state = new State("systemd", unit, props, main > 0 ? List.of(main) : List.of());
                if (!props.getOrDefault("ActiveState", "").equals("active") && ctx.privileges().tool("journalctl").isPresent()) {
                    Exec j = Exec.run(ctx, Duration.ofSeconds(5),
                            journalCommand(unit, params.has("count") ? params.integer("count") : params.integer("lines")));
                    j.out().lines().filter(l -> !l.startsWith("-- ")).forEach(l -> evidence.add("journal: " + l));
                }
            } else {
                evidence.add("no systemd unit " + unit + ": looking for a process named " + name);
            }
        }
        if (state == null) {
            state = new State("process", name, Map.of(), processes(Path.of("/proc"), name));
        }
        Judgement c = classify(state);
        Observation.Builder b = c.observation().fact("mode", state.mode())
                .fact("unit", state.mode().equals("systemd") ? state.name() : null).fact("pids", state.pids());
        if (state.mode().equals("systemd")) {
            b.fact("active_state", state.prop("ActiveState")).fact("sub_state", state.prop("SubState"))
                    .fact("result", state.prop("Result")).fact("restarts", parseLong(state.prop("NRestarts")) >= 0 ? parseLong(state.prop("NRestarts")) : null);
        } else {
            evidence.add("processes named " + name + ": " + (state.pids().isEmpty() ? "none" : state.pids()));
        }
        evidence.forEach(b::evidence);
        return b.build();
    }

    /**
     * {@code systemctl show} of the unit: the unit after {@code --}, so that a name starting with '-' (refused
     * before the probe runs, by the parameter's shape) could still never be read as an option.
     */
    static String[] showCommand(String unit) {
        return new String[]{"systemctl", "show", "--no-pager",
                "-p", "LoadState,ActiveState,SubState,Result,ExecMainStatus,MainPID,NRestarts,StateChangeTimestamp", "--", unit};
    }

    /** The unit's last {@code lines} journal lines: the unit as the value of {@code --unit=}, never an argument of its own. */
    static String[] journalCommand(String unit, long lines) {
        return new String[]{"journalctl", "--unit=" + unit, "-n", String.valueOf(lines), "--no-pager", "-o", "short-iso"};
    }

    /** From the unit's properties or the processes found to status and cause. Pure. */
    static Judgement classify(State s) {
        if (s.mode().equals("process")) {
            return s.pids().isEmpty()
                    ? new Judgement(Status.FAIL, "service.inactive", "no process named " + s.name() + " runs (no systemd here to ask "
                    + "about a unit): start the service and look at its log")
                    : new Judgement(Status.OK, null, s.pids().size() + " process(es) named " + s.name() + " run: pid " + s.pids());
        }
        String active = s.prop("ActiveState");
        String how = s.name() + " is " + active + " (" + s.prop("SubState") + ")";
        return switch (active) {
            case "active" -> new Judgement(Status.OK, null, how + (s.pids().isEmpty() ? "" : ", main pid " + s.pids().getFirst()));
            case "activating", "reloading", "deactivating" -> new Judgement(Status.WARN, null, how + ": it is changing state; check again");
            default -> new Judgement(Status.FAIL, "service.inactive", how + (s.prop("Result").isEmpty() || s.prop("Result").equals("success")
                    ? "" : ", last result " + s.prop("Result") + (s.prop("ExecMainStatus").isEmpty() ? "" : " (exit status " + s.prop("ExecMainStatus") + ")"))
                    + ": it is not running; see the journal lines, fix the cause, then systemctl start " + s.name());
        };
    }

    /** {@code systemctl show} output: one {@code Key=value} a line; lines without '=' are skipped. */
    static Map<String, String> parseShow(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return m;
    }

    /** PIDs whose comm (cut to 15 characters by the kernel) or argv[0]'s file name is the name. */
    static List<Long> processes(Path proc, String name) {
        List<Long> out = new ArrayList<>();
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : pids) {
                String c = SysClassNet.value(p.resolve("comm"));
                String argv0 = SysClassNet.value(p.resolve("cmdline")).split("\u0000", 2)[0];
                if (c.equals(comm) || argv0.substring(argv0.lastIndexOf('/') + 1).equals(name)) {
                    out.add(Long.parseLong(p.getFileName().toString()));
                }
                if (out.size() >= 100) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s == null ? "" : s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
