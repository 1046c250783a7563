package dev.reach.shell.command;

import picocli.CommandLine.Option;

import java.util.Optional;

/** {@code --server-via CMD} and {@code --server-reach COMMAND}: how to run reach on the server (see {@link ServerCommand}). */
public final class ServerOptions {
    @Option(names = "--server-via", paramLabel = "CMD",
            description = {"Also look from the server: run reach there through CMD, how you run a command there ('ssh",
                    "admin@db01', 'kubectl exec -i -n db pg-0 --', 'docker exec -i pg', 'ip netns exec B'); split like a shell would",
                    "and run without one. Steps marked 'on: server' run there; a diagnosis also watches this side's packets arrive",
                    "there, and joins both views in one verdict. The server needs reach, and root to watch packets."})
    String via;

    @Option(names = "--server-reach", paramLabel = "COMMAND", defaultValue = "reach",
            description = "The reach command on the server, for --server-via (default: reach, on its PATH).")
    String reach;

    /**
     * The server command these options give, else the workbench's (the shell's {@code target --server-via}); empty when
     * neither gives one.
     *
     * @throws IllegalArgumentException when the command does not split (an open quote)
     */
    Optional<ServerCommand> command(Workbench bench) {
        return via != null ? Optional.of(ServerCommand.of(via, reach)) : bench.server();
    }
}
