package dev.reach.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A probe's parameter values, already converted and checked against its {@link ProbeSpec} (defaults
 * filled in). Accessors throw {@link NoSuchElementException} only for a name the spec does not declare
 * or an optional parameter with no default that was not given: a bug in the probe, not user input.
 *
 * <pre>{@code
 * String host = params.string("host");
 * int port = params.port("port");
 * Duration timeout = ctx.bound(params.duration("timeout"));
 * Optional<Object> sni = params.find("sni");         // an optional parameter without a default
 * }</pre>
 */
public final class Params {
    private final Map<String, Object> values;

    public Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public boolean has(String name) { return values.containsKey(name); }
    public String string(String name) { return get(name, String.class); }
    public long integer(String name) { return get(name, Long.class); }
    public int port(String name) { return get(name, Integer.class); }
    public boolean bool(String name) { return get(name, Boolean.class); }
    public Duration duration(String name) { return get(name, Duration.class); }

    @SuppressWarnings("unchecked")
    public List<Integer> ports(String name) { return get(name, List.class); }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) { return get(name, List.class); }

    /** The value if given or defaulted. */
    public Optional<Object> find(String name) { return Optional.ofNullable(values.get(name)); }

    /** All values, in spec order. */
    public Map<String, Object> asMap() { return values; }

    private <T> T get(String name, Class<T> type) {
        Object v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException("parameter '" + name + "' has no value");
        }
        return type.cast(v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(ParamType.format(v)));
        return sb.toString();
    }
}
