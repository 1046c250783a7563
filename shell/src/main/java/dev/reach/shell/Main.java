package dev.reach.shell;

import picocli.CommandLine;

/** Entry point of the {@code reach} command. Exit codes: 0 healthy, 1 fault found, 2 usage error, 3 internal error, 130 interrupted. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cmd = commandLine();
        if (args.length > 0 && !cmd.getSubcommands().containsKey(args[0]) && DiagnoseCommand.looksLikeTarget(args[0])) {
            String[] diagnose = new String[args.length + 1]; // reach HOST:PORT ... is reach diagnose HOST:PORT ...
            diagnose[0] = "diagnose";
            System.arraycopy(args, 0, diagnose, 1, args.length);
            return cmd.execute(diagnose);
        }
        return cmd.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new ReachCommand(), new CommandFactory(new Runs()));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (verbose) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().println("reach: internal error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)"));
            return ExitCodes.INTERNAL;
        });
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("reach: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more.");
            return ExitCodes.USAGE;
        });
        return cmd;
    }
}
