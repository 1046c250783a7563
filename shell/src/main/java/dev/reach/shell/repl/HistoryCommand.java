package dev.reach.shell.repl;

import dev.reach.core.run.Durations;
import dev.reach.shell.command.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Shell: {@code history}, the results of this session, one a line, numbered for {@code last N}. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"List the results of this session: number, time, what ran, the verdict. 'last N' shows one in full.",
                "(Earlier command lines: arrow up, or Ctrl-R to search them.)"})
final class HistoryCommand implements Runnable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Session session;

    HistoryCommand(Session session) {
        this.session = session;
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        var entries = session.entries();
        if (entries.isEmpty()) out.println("nothing ran yet in this session");
        for (Session.Entry e : entries) {
            var r = e.result();
            var v = r.verdict();
            String what = switch (e.request()) {
                case Request.ProbeRequest p -> p.id() + " " + words(p.params());
                case Request.PlaybookRequest p -> "run " + p.file() + " " + words(p.inputs());
            };
            String mark = r.cancelled() ? "cancelled" : r.healthy() ? "ok" : v.cause();
            out.printf("%3d  %s  %-9s %s  (%s)%n", e.number(), TIME.format(e.at()), mark, what.strip(), Durations.format(r.duration()));
        }
        out.flush();
    }

    private static String words(java.util.Map<String, Object> params) {
        return String.join(" ", params.entrySet().stream()
                .map(p -> p.getKey() + "=" + dev.reach.spi.ParamType.format(p.getValue())).toList());
    }
}
