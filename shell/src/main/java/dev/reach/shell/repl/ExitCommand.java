package dev.reach.shell.repl;

import picocli.CommandLine.Command;

/** Shell: {@code exit} (or Ctrl-D) leaves the shell. */
@Command(name = "exit", aliases = "quit", description = "Leave the shell (Ctrl-D does too).")
final class ExitCommand implements Runnable {
    private final Session session;

    ExitCommand(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        session.requestExit();
    }
}
