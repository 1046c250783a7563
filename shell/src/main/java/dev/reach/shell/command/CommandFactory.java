package dev.reach.shell.command;

import picocli.CommandLine;

import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Builds command objects for picocli, handing each constructor the parts it asks for by type: the workbench a
 * command runs on (the REPL's session is one), the command tree (a command that starts a resident reach runs it
 * in another process); a class whose constructors ask for anything else is built as picocli would.
 */
public final class CommandFactory implements CommandLine.IFactory {
    private final List<Object> parts;

    /** A factory that hands out {@code parts} (the first of a type a constructor asks for). */
    public CommandFactory(Object... parts) {
        this.parts = List.of(parts);
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        for (Constructor<?> c : cls.getDeclaredConstructors()) {
            Class<?>[] types = c.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                Class<?> type = types[i];
                args[i] = parts.stream().filter(type::isInstance).findFirst().orElse(null);
            }
            if (types.length > 0 && Arrays.stream(args).allMatch(Objects::nonNull)) {
                c.setAccessible(true);
                return cls.cast(c.newInstance(args));
            }
        }
        return CommandLine.defaultFactory().create(cls);
    }
}
