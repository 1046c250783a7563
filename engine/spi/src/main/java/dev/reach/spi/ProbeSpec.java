package dev.reach.spi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a probe is, takes and returns: the one source of truth for validation, help, completion and the
 * generated docs.
 *
 * <pre>{@code
 * static final ProbeSpec SPEC = ProbeSpec.builder("tcp.connect", "Opens a TCP connection and says how it went")
 *         .param(Param.host("host", "name or address to connect to").required())
 *         .param(Param.port("port", "TCP port").required())
 *         .fact(Fact.of("connect_ms", "number", "time to establish the connection"))
 *         .example("reach probe tcp.connect host=127.0.0.1 port=22")
 *         .build();
 * }</pre>
 *
 * @param id            dotted lower-case {@code <domain>.<action>}, e.g. {@code tcp.connect}
 * @param summary       one line, starting with a verb
 * @param params        parameters in the order help shows them
 * @param facts         the facts an observation may carry
 * @param needs         what the host must allow
 * @param intrusiveness whether it can disturb the target
 * @param examples      command lines that show typical use
 * @param about         what it finds and how, in a paragraph (the causes it names in backquotes), for
 *                      {@code reach probes ID} and the README's probe table; empty when the summary says it all
 * @param causes        the cause codes its observations may carry, each in the catalogue (the engine's, or the
 *                      plugin's own {@code reach-causes.tsv}); the test kit fails a probe that returns another
 */
public record ProbeSpec(String id, String summary, List<Param> params, List<Fact> facts, Needs needs,
                        Intrusiveness intrusiveness, List<String> examples, String about, List<String> causes) {

    /** Probe ids: dotted lower-case, at least two parts. */
    public static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*)+");

    public ProbeSpec {
        Objects.requireNonNull(summary);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("probe id '" + id + "' must be dotted lower-case like tcp.connect");
        }
        params = List.copyOf(params);
        facts = List.copyOf(facts);
        examples = List.copyOf(examples);
        about = about == null ? "" : about.strip();
        causes = List.copyOf(new LinkedHashSet<>(causes));
        var names = new LinkedHashSet<String>();
        for (Param p : params) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException(id + " declares parameter '" + p.name() + "' twice");
            }
        }
    }

    /** Without an about paragraph or declared causes. */
    public ProbeSpec(String id, String summary, List<Param> params, List<Fact> facts, Needs needs,
                     Intrusiveness intrusiveness, List<String> examples) {
        this(id, summary, params, facts, needs, intrusiveness, examples, "", List.of());
    }

    public static Builder builder(String id, String summary) {
        return new Builder(id, summary);
    }

    /** What reports show in place of a {@link Param#secret() secret} parameter's value. */
    public static final String HIDDEN = "(hidden)";

    /** The parameters as reports may show them: secret ones' values replaced by {@value #HIDDEN}. */
    public java.util.Map<String, Object> shown(java.util.Map<String, Object> values) {
        return shown(params, values);
    }

    /** {@code values} with those of the secret ones among {@code params} replaced by {@value #HIDDEN}. */
    public static java.util.Map<String, Object> shown(java.util.Collection<Param> params, java.util.Map<String, Object> values) {
        if (params.stream().noneMatch(Param::isSecret)) {
            return values;
        }
        var out = new java.util.LinkedHashMap<String, Object>(values);
        params.stream().filter(Param::isSecret).map(Param::name).filter(out::containsKey).forEach(n -> out.put(n, HIDDEN));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The parameters help, completion and {@code reach probes} show: all but the {@link Param#deprecated deprecated}. */
    public List<Param> shownParams() {
        return params.stream().filter(p -> p.deprecation().isEmpty()).toList();
    }

    /** The declared parameter of that name. */
    public Optional<Param> param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Builds a spec step by step. */
    public static final class Builder {
        private final String id;
        private final String summary;
        private final List<Param> params = new ArrayList<>();
        private final List<Fact> facts = new ArrayList<>();
        private final List<String> examples = new ArrayList<>();
        private Needs needs = Needs.NOTHING;
        private Intrusiveness intrusiveness = Intrusiveness.SAFE;
        private String about = "";
        private final List<String> causes = new ArrayList<>();

        private Builder(String id, String summary) {
            this.id = id;
            this.summary = summary;
        }

        public Builder param(Param p) { params.add(p); return this; }
        public Builder fact(Fact f) { facts.add(f); return this; }
        public Builder fact(String name, String type, String description) { return fact(Fact.of(name, type, description)); }
        public Builder needs(Needs n) { needs = n; return this; }
        public Builder intrusive() { intrusiveness = Intrusiveness.INTRUSIVE; return this; }
        public Builder example(String commandLine) { examples.add(commandLine); return this; }
        public Builder about(String paragraph) { about = paragraph; return this; }
        public Builder causes(String... codes) { causes.addAll(List.of(codes)); return this; }

        public ProbeSpec build() {
            return new ProbeSpec(id, summary, params, facts, needs, intrusiveness, examples, about, causes);
        }
    }
}
