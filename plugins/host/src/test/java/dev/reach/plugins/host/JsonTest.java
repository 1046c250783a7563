package dev.reach.plugins.host;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void readsObjectsArraysNumbersAndEscapes() {
        Object v = Json.parse("{\"a\":[1,-2.5,true,null,\"x\\\"y\\u0041\"],\"b\":{}}");
        assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -2.5, true, null, "x\"yA"), "b", Map.of()));
    }

    @Test
    void ipOutputIsAListOfObjects() {
        assertThat(Json.objects("[{\"dst\":\"198.18.0.1\"}, 3]")).containsExactly(Map.of("dst", "198.18.0.1"));
        assertThat(Json.objects("  ")).isEmpty();
    }

    @Test
    void malformedJsonNamesTheOffset() {
        for (String bad : List.of("[{\"a\":1}", "{\"a\" 1}", "[1,]", "\"open", "[1] x", "{a:1}")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("malformed JSON at offset");
        }
    }

    @Test
    void aTopLevelObjectIsNotAnIpListing() {
        assertThatThrownBy(() -> Json.objects("{}")).hasMessageContaining("expected a JSON array");
    }
}
