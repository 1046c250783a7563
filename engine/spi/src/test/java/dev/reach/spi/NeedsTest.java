package dev.reach.spi;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NeedsTest {

    @Test
    void describesWhatTheHostMustAllowWithTheNoteInParentheses() {
        assertThat(Needs.NOTHING.describe()).isEqualTo("nothing");
        assertThat(new Needs(true, List.of(), List.of()).describe()).isEqualTo("root");
        assertThat(Needs.root("CAP_NET_RAW", "CAP_NET_ADMIN").withTools("nft").describe()).isEqualTo("root or CAP_NET_RAW/CAP_NET_ADMIN, nft");
        assertThat(Needs.NOTHING.withNote(" raw socket: root; else ping ").describe()).isEqualTo("nothing (raw socket: root; else ping)");
    }

    @Test
    void aNoteChangesNothingTheEngineChecks() {
        Needs n = Needs.root("CAP_NET_ADMIN").withNote("nft or iptables-save").withTools("ip");
        assertThat(n.root()).isTrue();
        assertThat(n.tools()).isEqualTo(List.of("ip"));
        assertThat(n.note()).isEqualTo("nft or iptables-save");
        assertThat(Needs.NOTHING.withNote("anything").none()).isTrue();
        assertThat(new Needs(false, List.of(), List.of())).isEqualTo(Needs.NOTHING);
    }
}
