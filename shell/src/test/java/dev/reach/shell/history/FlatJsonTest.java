package dev.reach.shell.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The history's flat JSON: what it writes is JSON (Jackson reads it back the same), and it reads what Python's json module writes. */
class FlatJsonTest {
    @Test
    void writesJsonThatJacksonReadsBackTheSame() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("certificate", "sha256 ab 'CN=web \"01\"' until 2027\\n\ttab\u0001");
        m.put("rtt_ms", 0.042);
        m.put("loss_pct", 100.0);
        m.put("nan", Double.NaN);
        String json = FlatJson.write(m);
        Map<?, ?> back = new ObjectMapper().readValue(json, Map.class);
        assertThat(back.get("certificate")).isEqualTo(m.get("certificate"));
        assertThat(back.get("rtt_ms")).isEqualTo(0.042);
        assertThat(back.get("loss_pct")).isEqualTo(100.0);
        assertThat(back.get("nan")).isNull();
        assertThat(FlatJson.read(json)).containsEntry("certificate", m.get("certificate")).containsEntry("rtt_ms", 0.042)
                .containsEntry("loss_pct", 100.0).containsEntry("nan", null);
    }

    @Test
    void readsWhatOtherWritersWrite() {
        assertThat(FlatJson.read(" { \"route\" : \"local dev lo\", \"mtu\": \"lo 65536\", \"e\": \"\\u00e9\\/\" } "))
                .containsExactly(Map.entry("route", "local dev lo"), Map.entry("mtu", "lo 65536"), Map.entry("e", "é/"));
        assertThat(FlatJson.read("{\"rtt_ms\": 0.05, \"loss_pct\": 0, \"x\": -1.5e-3}")).containsEntry("loss_pct", 0.0).containsEntry("x", -0.0015);
        assertThat(FlatJson.read("{}")).isEmpty();
        assertThatThrownBy(() -> FlatJson.read("{\"a\": {\"b\": 1}}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlatJson.read("{\"a\": \"b")).isInstanceOf(IllegalArgumentException.class);
    }
}
