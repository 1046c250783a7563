package dev.reach.shell.command;

import dev.reach.core.report.TextReport;
import dev.reach.core.run.RunResult;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What a report says first. A diagnosis ({@code reach db01:5432}, {@code reach diagnose}, or the playbook it runs)
 * says what it diagnoses: {@code Diagnosing db01:5432 (tcp)}, {@code (udp)}, {@code (https)} or {@code (http)};
 * any other playbook's report names its file ({@code Running playbook connect.yaml}).
 */
public final class DiagnosisHeading {
    private DiagnosisHeading() {
    }

    public static TextReport.Heading of(RunResult run) {
        if (run.source().isEmpty() || !Path.of(run.source()).getFileName().toString().equals(DiagnoseCommand.PLAYBOOK)) {
            return TextReport.Heading.PLAYBOOK;
        }
        Map<String, Object> in = run.inputs();
        String host = String.valueOf(in.get("host"));
        boolean http = Boolean.TRUE.equals(in.get("http"));
        String kind = http ? ("yes".equals(in.get("tls")) ? "https" : "http") : String.valueOf(in.getOrDefault("proto", "tcp"));
        // what the heading says is not listed again; udp://'s tls=no goes without saying
        Set<String> said = http || kind.equals("udp") ? Set.of("host", "port", "proto", "http", "tls") : Set.of("host", "port", "proto");
        return new TextReport.Heading("Diagnosing " + (host.contains(":") ? "[" + host + "]" : host) + ":" + in.get("port")
                + " (" + kind + ")", said);
    }
}
