package dev.reach.plugins.host;

import java.lang.invoke.MethodHandles;

/** Whether this plugin may call libc through FFM: native access is on for it, and a class of bound calls initialises. */
final class NativeAccess {
    private NativeAccess() {
    }

    /**
     * True when {@code calls} (a holder of downcall handles, bound in its static initialiser) is ready to use;
     * {@code lookup} is the caller's, which may see its own private nested class.
     */
    static boolean ready(MethodHandles.Lookup lookup, Class<?> calls) {
        if (!NativeAccess.class.getModule().isNativeAccessEnabled()) {
            return false;
        }
        try {
            lookup.ensureInitialized(calls);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }
}
