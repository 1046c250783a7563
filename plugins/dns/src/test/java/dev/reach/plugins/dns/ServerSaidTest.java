package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How one server's questions for A and AAAA merge into one answer (type any): built from real dnsjava replies, no network. */
class ServerSaidTest {
    private static final Name NAME = Name.fromConstantString("web.test.");
    private static final Nameserver NS = Nameserver.parse("127.0.0.1:53", 53);

    private static Exchange reply(int qtype, int rcode, String... addresses) {
        Message m = Message.newQuery(Record.newRecord(NAME, qtype, DClass.IN));
        m.getHeader().setRcode(rcode);
        for (String a : addresses) {
            InetAddress ip = InetAddress.ofLiteral(a);
            m.addRecord(qtype == Type.A ? new ARecord(NAME, DClass.IN, 60, ip) : new AAAARecord(NAME, DClass.IN, 60, ip), Section.ANSWER);
        }
        return new Exchange(NS, NAME, false, qtype, "answered", m, Duration.ofMillis(1), "", null);
    }

    private static Exchange silent(int qtype) {
        return Exchange.silent(NS, NAME, false, qtype, Duration.ofMillis(250), "no answer in 250ms", null);
    }

    @Test
    void addressForOneFamilyAndNxdomainForTheOtherIsAnAnswerWithTheGapNamed() {
        var leg = ServerSaid.merge(List.of(reply(Type.A, Rcode.NOERROR, "198.18.0.5"), reply(Type.AAAA, Rcode.NXDOMAIN)));
        assertThat(leg.answered()).isTrue();
        assertThat(leg.rcode()).isEqualTo("NOERROR");
        assertThat(leg.addresses()).containsExactly("198.18.0.5");
        assertThat(leg.gaps()).containsExactly("AAAA NXDOMAIN");
    }

    @Test
    void ipv6OnlyIsAnAnswerAndAnEmptyFamilyIsNoGap() {
        var leg = ServerSaid.merge(List.of(reply(Type.A, Rcode.NOERROR), reply(Type.AAAA, Rcode.NOERROR, "fd00::5")));
        assertThat(leg.rcode()).isEqualTo("NOERROR");
        assertThat(leg.addresses()).containsExactly("fd00::5");
        assertThat(leg.gaps()).isEmpty();
    }

    @Test
    void nxdomainOnlyWhenNoFamilyHasAnAddress() {
        assertThat(ServerSaid.merge(List.of(reply(Type.A, Rcode.NXDOMAIN), reply(Type.AAAA, Rcode.NXDOMAIN))).rcode()).isEqualTo("NXDOMAIN");
        assertThat(ServerSaid.merge(List.of(reply(Type.A, Rcode.NOERROR), reply(Type.AAAA, Rcode.NOERROR))).rcode()).isEqualTo("NOERROR");
        assertThat(ServerSaid.merge(List.of(reply(Type.A, Rcode.NXDOMAIN), reply(Type.AAAA, Rcode.SERVFAIL))).rcode()).isEqualTo("SERVFAIL");
    }

    @Test
    void anAddressBesideAnUnansweredQuestionIsALateAnswer() {
        var leg = ServerSaid.merge(List.of(reply(Type.A, Rcode.NOERROR, "198.18.0.5"), silent(Type.AAAA)));
        assertThat(leg.answered()).isTrue();
        assertThat(leg.gaps()).containsExactly("AAAA timeout");
        assertThat(leg.partlySilent()).isTrue();
    }

    @Test
    void noAddressWhileAQuestionIsUnansweredIsNoAnswer() {
        var leg = ServerSaid.merge(List.of(reply(Type.A, Rcode.NOERROR), silent(Type.AAAA)));
        assertThat(leg.answered()).isFalse();
        assertThat(leg.outcome()).isEqualTo("timeout");
    }
}
