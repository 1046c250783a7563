package dev.reach.core.run;

import dev.reach.spi.Observation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secret values kept out of every result: a secret input or parameter is shown as {@code (hidden)} where it is
 * declared, and this takes the same value out of the places a playbook may have copied it to (a parameter that is
 * not secret, a summary, evidence, a fact, a verdict's text), so that no report, event or later expression holds
 * it. Values shorter than {@value #MIN_LENGTH} characters are left alone: masking every "1" would make a report
 * unreadable, and such a value is no secret worth the name.
 */
final class Redaction {
    static final String MASK = dev.reach.spi.ProbeSpec.HIDDEN;
    static final int MIN_LENGTH = 3;

    private Redaction() {
    }

    /** The secret texts among {@code values} (strings and numbers, as a playbook would copy them), long enough to mask. */
    static Set<String> texts(java.util.Collection<?> values) {
        Set<String> out = new java.util.HashSet<>();
        for (Object v : values) {
            if (v != null && !(v instanceof Map) && !(v instanceof List)) {
                String t = dev.reach.core.script.Scope.text(v);
                if (t.length() >= MIN_LENGTH) out.add(t);
            }
        }
        return out;
    }

    static StepResult step(StepResult r, Set<String> secrets) {
        if (secrets.isEmpty()) return r;
        Observation o = r.observation();
        Observation.Builder b = Observation.of(o.status(), text(o.summary(), secrets)).cause(o.cause().orElse(null))
                .duration(o.duration());
        o.facts().forEach((k, v) -> b.fact(k, value(v, secrets)));
        o.evidence().forEach(line -> b.evidence(text(line, secrets)));
        List<StepResult> children = r.children().stream().map(c -> step(c, secrets)).toList();
        @SuppressWarnings("unchecked")
        Map<String, Object> params = (Map<String, Object>) value(r.params(), secrets);
        return new StepResult(r.id(), r.kind(), r.probe(), params, b.build(), text(r.branch(), secrets), children);
    }

    /** Parameters or inputs as an event shows them. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> params(Map<String, ?> params, Set<String> secrets) {
        return secrets.isEmpty() ? (Map<String, Object>) params : (Map<String, Object>) value(params, secrets);
    }

    static Verdict verdict(Verdict v, Set<String> secrets) {
        if (secrets.isEmpty()) return v;
        return new Verdict(v.cause(), v.confidence(), text(v.summary(), secrets), text(v.fix(), secrets),
                v.evidence().stream().map(e -> text(e, secrets)).toList(), v.supportedBy(), v.concluded());
    }

    static String text(String s, Set<String> secrets) {
        if (s == null) return null;
        for (String secret : secrets) {
            if (s.contains(secret)) s = s.replace(secret, MASK);
        }
        return s;
    }

    private static Object value(Object v, Set<String> secrets) {
        return switch (v) {
            case String s -> text(s, secrets);
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(String.valueOf(k), value(x, secrets)));
                yield out;
            }
            case List<?> l -> {
                List<Object> out = new ArrayList<>();
                l.forEach(x -> out.add(value(x, secrets)));
                yield out;
            }
            case null, default -> v != null && secrets.contains(dev.reach.core.script.Scope.text(v)) ? MASK : v;
        };
    }
}
