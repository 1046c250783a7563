package dev.reach.core.script;

import dev.reach.core.playbook.JsModule;
import dev.reach.core.playbook.Playbook;
import dev.reach.core.playbook.PlaybookException;
import dev.reach.core.playbook.SourcePos;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * JS playbooks: ES modules that export {@code metadata} and a {@code main(inputs)} calling the host API
 * ({@link JsApi}). Loading evaluates the module once in the sandbox to read its metadata; running evaluates
 * it again in a fresh context (cheap on the shared engine) and calls main, on a thread of its own that a
 * {@link Watchdog} watches. What main does goes through the runner's {@link PlaybookHost}.
 */
public final class JsPlaybooks {
    /** How long evaluating a module's top level may take when it loads. */
    static final Duration LOAD_DEADLINE = Duration.ofSeconds(60); // generous: a cold engine on a loaded machine is slow
    private static final long STACK_BYTES = 8L << 20;

    private final ScriptEngine engine;

    public JsPlaybooks(ScriptEngine engine) {
        this.engine = engine;
    }

    /** How a script ended: returned (the run goes on to its verdict), or failed where and why. */
    public sealed interface Outcome {
        /** @param value what a snippet evaluated to, as plain data (null for a playbook's main) */
        record Returned(Object value) implements Outcome {
        }

        /**
         * @param message {@code file:line:col: what happened}
         * @param stack   the script's own frames, innermost first ({@code at main (file:12:5)})
         * @param stopped why the watchdog stopped it (deadline, cancelled, memory), or null
         */
        record Failed(String message, List<String> stack, String stopped) implements Outcome {
        }
    }

    /** Whether {@code file} names a JS playbook. */
    public static boolean isScript(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString();
        return n.endsWith(".js") || n.endsWith(".mjs");
    }

    /** Reads a JS playbook and its metadata; a syntax error or bad metadata throws with file:line:col. */
    public Playbook load(Path file) throws PlaybookException {
        Path abs = file.toAbsolutePath().normalize();
        String name = file.toString();
        if (!Files.isRegularFile(abs)) {
            throw new PlaybookException(SourcePos.unknown(name), "no such playbook file; check the path");
        }
        String text = dev.reach.core.playbook.PlaybookText.read(abs, name);
        JsModule module = new JsModule(name, abs, text);
        AtomicReference<Map<?, ?>> metadata = new AtomicReference<>();
        engine.get(); // the load deadline bounds the module's top level, not the engine's cold start
        Outcome o = inSandbox(module.name(), Instant.now().plus(LOAD_DEADLINE), () -> false, new LoadTimeHost(), ctx -> {
            Value ns = evalModule(ctx, module);
            Value main = ns.getMember("main");
            if (main == null || !main.canExecute()) {
                throw new MissingMain();
            }
            Value meta = ns.getMember("metadata");
            metadata.set(meta == null || meta.isNull() ? Map.of() : JsValues.toJava(meta) instanceof Map<?, ?> m ? m : null);
            return null;
        });
        if (o instanceof Outcome.Failed f) {
            String msg = f.message();
            int at = msg.indexOf(": ", name.length());
            SourcePos pos = JsErrors.parsePos(msg, name);
            throw new PlaybookException(pos, at < 0 ? msg : msg.substring(at + 2));
        }
        return JsMetadata.playbook(module, metadata.get());
    }

    /** Checks the probe ids, causes and includes a JS playbook writes as literals; every problem at once. */
    public static void checkNames(Playbook pb, java.util.Collection<String> probeIds, java.util.Collection<String> causes)
            throws PlaybookException {
        JsNames.check(pb, probeIds, causes);
    }

    /** The literal names a JS playbook writes: the probes it calls, the causes it concludes, the playbooks it includes. */
    public record Names(java.util.SortedSet<String> probes, java.util.SortedSet<String> causes, java.util.SortedSet<String> includes) {
    }

    /**
     * The probes, causes and included playbooks a JS playbook names as literals (what {@link #checkNames} checked),
     * each sorted; names it computes at run time are not among them.
     */
    public static Names names(Playbook pb) {
        return JsNames.of(pb.script());
    }

    /** Runs main(inputs) against the host until it returns, throws, or the watchdog stops it. */
    public Outcome run(Playbook pb, Map<String, Object> inputs, PlaybookHost host, Instant deadline, BooleanSupplier cancelled) {
        return inSandbox(pb.script().name(), deadline, cancelled, host, ctx -> {
            Value result = evalModule(ctx, pb.script()).getMember("main").execute(JsValues.toGuest(inputs));
            if (result.hasMember("then") && result.getMember("then").canExecute()) { // an async main: settle it
                AtomicReference<Value> rejected = new AtomicReference<>();
                java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
                result.invokeMember("then", (ProxyExecutable) a -> {
                    settled.set(true);
                    return null;
                }, (ProxyExecutable) a -> {
                    settled.set(true);
                    rejected.set(a.length > 0 ? a[0] : null);
                    return null;
                });
                if (rejected.get() != null) {
                    rejected.get().throwException();
                }
                if (!settled.get()) throw new NeverSettled(); // its jobs ran when then() returned: nothing else can settle it
            }
            return null;
        });
    }

    /**
     * Evaluates a snippet (the shell's {@code js}): a script, not a module, whose value is its last expression
     * statement's, with {@code names} as globals next to the host API, in the same sandbox and under
     * the same watchdog as a playbook's main. Errors point at {@code snippet.name():line:col}.
     */
    public Outcome eval(JsModule snippet, Map<String, ?> names, PlaybookHost host, Instant deadline, BooleanSupplier cancelled) {
        return inSandbox(snippet.name(), deadline, cancelled, host, ctx -> {
            Value global = ctx.getBindings("js");
            names.forEach((k, v) -> global.putMember(k, JsValues.toGuest(v)));
            return JsValues.toJava(ctx.eval(Source.newBuilder("js", snippet.text(), snippet.name()).buildLiteral()));
        });
    }

    private static Value evalModule(Context context, JsModule module) {
        return context.eval(Source.newBuilder("js", module.text(), module.name())
                .mimeType("application/javascript+module").buildLiteral());
    }

    /** What runs in the context once the API is installed; returns the value a snippet evaluated to. */
    private interface Body {
        Object apply(Context context);
    }

    private Outcome inSandbox(String name, Instant deadline, BooleanSupplier cancelled, PlaybookHost host, Body body) {
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        Context context = Sandbox.context(engine);
        Thread script = Thread.ofPlatform().name("reach-js").stackSize(STACK_BYTES).unstarted(() -> {
            try {
                JsApi.install(context, host);
                outcome.set(new Outcome.Returned(body.apply(context)));
            } catch (PolyglotException e) {
                outcome.set(JsErrors.failed(name, e, null));
            } catch (NeverSettled e) {
                outcome.set(new Outcome.Failed(name + ":1:1: main returned a promise that never settles (it awaits something"
                        + " that never happens: reach runs no event loop, so await only what probe(), include() and"
                        + " parallel() return)", List.of(), null));
            } catch (MissingMain e) {
                outcome.set(new Outcome.Failed(name + ":1:1: the playbook exports no main function; add "
                        + "'export function main(inputs) { ... }'", List.of(), null));
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) { // not the script's: the engine's
                outcome.set(new Outcome.Failed(name + ": the script engine failed: " + e, List.of(), null));
            }
        });
        try (Watchdog dog = new Watchdog(context, script, deadline, cancelled, Watchdog.ALLOCATION_BUDGET)) {
            script.start();
            dog.start();
            script.join();
            Outcome o = outcome.get();
            if (o instanceof Outcome.Failed f && dog.tripped() != null) {
                o = JsErrors.stopped(f, dog.tripped());
            }
            return o == null ? new Outcome.Failed(name + ": the script ended without a result", List.of(), null) : o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed(name + ": interrupted", List.of(), "cancelled");
        } finally {
            context.close(true);
        }
    }

    private static final class MissingMain extends RuntimeException {
        MissingMain() {
            super(null, null, false, false);
        }
    }

    private static final class NeverSettled extends RuntimeException {
        NeverSettled() {
            super(null, null, false, false);
        }
    }

    /** The host while a module loads: its top level may define things, but not probe. */
    private static final class LoadTimeHost implements PlaybookHost {
        private static IllegalStateException notNow() {
            return new IllegalStateException("the host API works only inside main(); move the call into main");
        }

        public Map<String, Object> probe(String id, String probe, Map<String, Object> params, boolean onServer) { throw notNow(); }
        public List<Map<String, Object>> parallel(String id, List<Call> calls, Until until) { throw notNow(); }
        public Map<String, Object> include(String id, String path, Map<String, Object> inputs) { throw notNow(); }
        public Map<String, Object> verdict(VerdictCall verdict) { throw notNow(); }
        public void log(String message) { }
        public void sleep(Duration d) { throw notNow(); }
    }
}
