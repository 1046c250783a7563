package dev.reach.core.playbook;

import java.nio.file.Path;

/**
 * The code of a JS playbook, as read from its file.
 *
 * @param name the file as the user named it (what errors and stack frames show)
 * @param path the absolute path (includes resolve against its folder)
 * @param text the ES module's source
 */
public record JsModule(String name, Path path, String text) {
}
