package dev.reach.core.playbook;

import dev.reach.core.run.TestProbes;
import dev.reach.core.script.JsExpressions;
import dev.reach.core.script.ScriptEngine;

import java.nio.file.Path;
import java.util.List;

/** One script engine for the test JVM (a cold one costs a second), and the validator over the test probes. */
public final class Fixtures {
    public static final ScriptEngine ENGINE = new ScriptEngine().warmUp();
    /** Cause codes the tests use; the shipped catalogue has all of FAULTS.md. */
    public static final List<String> CAUSES = List.of("ok", "tcp.refused", "tcp.filtered", "host.unreachable",
            "route.none", "dns.nxdomain", "inconclusive");

    private Fixtures() {
    }

    public static JsExpressions expressions() {
        return new JsExpressions(ENGINE);
    }

    public static Playbook load(Path file) throws PlaybookException {
        Playbook pb = new PlaybookLoader().load(file);
        new PlaybookValidator(TestProbes.specs(), TestProbes.ids(), CAUSES, expressions()).validate(pb);
        return pb;
    }
}
