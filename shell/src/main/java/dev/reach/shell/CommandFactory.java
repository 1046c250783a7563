package dev.reach.shell;

import picocli.CommandLine;

import java.lang.reflect.Constructor;

/**
 * Builds command objects for picocli, handing each the workbench it runs on: a class with a constructor
 * taking the workbench (or the shell {@link Session}) gets it; any other class is built as picocli would.
 */
final class CommandFactory implements CommandLine.IFactory {
    private final Workbench bench;

    CommandFactory(Workbench bench) {
        this.bench = bench;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        for (Constructor<?> c : cls.getDeclaredConstructors()) {
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0].isInstance(bench)) {
                c.setAccessible(true);
                return cls.cast(c.newInstance(bench));
            }
        }
        return CommandLine.defaultFactory().create(cls);
    }
}
