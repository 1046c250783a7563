package dev.reach.core.plugin;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The plugin loaders a test opens, each closed when the test ends: {@code @RegisterExtension final Loaders loaders = new Loaders();}. */
final class Loaders implements AfterEachCallback {
    private final List<PluginLoader> opened = new ArrayList<>();

    /** Builds a loader as {@code setup} says and loads it; it stays open until the test ends. */
    PluginLoader.Result load(UnaryOperator<PluginLoader.Builder> setup) {
        PluginLoader loader = setup.apply(PluginLoader.builder(PluginLoaderTest.ENGINE)).build();
        opened.add(loader);
        return loader.load();
    }

    /** The loader opened last. */
    PluginLoader last() {
        return opened.getLast();
    }

    /** Closes the loader opened last, now. */
    void closeLast() {
        opened.removeLast().close();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        opened.forEach(PluginLoader::close);
        opened.clear();
    }
}
