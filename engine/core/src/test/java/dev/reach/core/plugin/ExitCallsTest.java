package dev.reach.core.plugin;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ExitCalls on real class files (these nested classes, as javac compiled them), and its quick search of the bytes. */
class ExitCallsTest {
    static final class Quits {
        void stop() {
            System.exit(3);
        }
    }

    static final class Halts {
        Halts() {
            Runtime.getRuntime().halt(1);
        }
    }

    static final class RefersToExit {
        IntConsumer later() {
            return System::exit;
        }
    }

    /** Says the words in strings and in a method of its own named exit, but calls nothing that ends the process. */
    static final class SaysExit {
        String words() {
            return "exit" + "halt";
        }

        void exit() {
        }
    }

    static final class Plain {
        int add(int a, int b) {
            return a + b;
        }
    }

    @Test
    void callsThatEndTheProcessAreFoundWithTheMethodThatMakesThem() throws IOException {
        assertThat(ExitCalls.find(bytes(Quits.class))).contains("calls System.exit in stop()");
        assertThat(ExitCalls.find(bytes(Halts.class))).contains("calls Runtime.halt in its constructor");
        assertThat(ExitCalls.find(bytes(RefersToExit.class))).contains("calls System.exit");
    }

    @Test
    void classesThatOnlySayTheWordOrNeverDoAreLetThrough() throws IOException {
        assertThat(ExitCalls.namesAnExit(bytes(SaysExit.class))).isTrue();   // the quick search cannot tell: the parse does
        assertThat(ExitCalls.find(bytes(SaysExit.class))).isEmpty();
        assertThat(ExitCalls.namesAnExit(bytes(Plain.class))).isFalse();     // no parse at all
        assertThat(ExitCalls.find(bytes(Plain.class))).isEmpty();
    }

    @Test
    void bytesThatAreNoClassFileAreSaidToBe() {
        assertThatThrownBy(() -> ExitCalls.find("not a class".getBytes())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExitCalls.find(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }
}
