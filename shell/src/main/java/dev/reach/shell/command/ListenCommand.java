package dev.reach.shell.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code reach listen PORT}: the server's side of the question, run on B — playbooks/listen.yaml. */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = {"Run on the server: find out why clients cannot reach this host on PORT, and say so in one verdict.",
                "This runs playbooks/listen.yaml: who listens and where, the service, the INPUT firewall, kernel settings "
                        + "(strict rp_filter: the route back to --src), connection counts and resources."},
        footerHeading = "%nExamples:%n",
        footer = {"  reach listen 5432", "  reach listen 8080 --service nginx --host 198.18.1.2", "  reach listen 80 --src 198.18.4.1",
                "  reach listen 53 --proto udp --json"})
public final class ListenCommand implements Callable<Integer> {
    static final String PLAYBOOK = "listen.yaml";

    private final Workbench bench;

    ListenCommand(Workbench bench) {
        this.bench = bench;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PORT", description = "The port the service should listen on.")
    int port;

    @Option(names = "--proto", paramLabel = "tcp|udp", description = "tcp (default) or udp.")
    String proto;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "The address clients connect to (judges a bind to one address).")
    String host;

    @Option(names = "--service", paramLabel = "NAME", description = "The systemd unit or process name of the service.")
    String service;

    @Option(names = {"--src", "--from"}, paramLabel = "CLIENT",
            description = "The address of a client that gets no answer: checks the route back to it (strict rp_filter).")
    String src;

    @Option(names = "--watch", paramLabel = "DURATION",
            description = "With --from: watch that client's packets to PORT arrive (and this host's answers, and what the kernel "
                    + "drops and why) for at most DURATION while it connects; it stops once they decide. Root (a packet socket, "
                    + "tracefs). 'reach: watching ...' on standard error says when to connect.")
    String watch;

    @Mixin
    CommonOptions common;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("port", Integer.toString(port));
        if (proto != null) inputs.put("proto", proto);
        if (host != null) inputs.put("host", host);
        if (service != null) inputs.put("service", service);
        if (src != null) inputs.put("src", src);
        if (watch != null) {
            if (src == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--watch needs --from CLIENT: the address whose packets to watch (e.g. --from 198.18.4.1 --watch 30s)");
            }
            inputs.put("watch", watch);
        }
        return bench.execute(new Request.PlaybookRequest(EngineSetup.playbooksDir().resolve(PLAYBOOK), inputs),
                common, output, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
