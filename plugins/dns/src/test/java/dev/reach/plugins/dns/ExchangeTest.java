package dev.reach.plugins.dns;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** How dnsjava's and the kernel's failures read as outcomes (the exceptions are the ones seen against dnsmasq). */
class ExchangeTest {

    @Test
    void dnsjavaTimeoutIsTimeout() {
        var e = new IOException("Timed out while trying to resolve x.dead.test./A, id=25701", new TimeoutException());
        assertThat(Exchange.outcomeOf(e)).isEqualTo("timeout");
        assertThat(Exchange.outcomeOf(new SocketTimeoutException("Read timed out"))).isEqualTo("timeout");
    }

    @Test
    void icmpPortUnreachableAndRstAreRefused() {
        assertThat(Exchange.outcomeOf(new PortUnreachableException())).isEqualTo("refused");
        assertThat(Exchange.outcomeOf(new ConnectException("Connection refused"))).isEqualTo("refused");
    }

    @Test
    void tcpClosedWithoutAnAnswerIsClosed() {
        assertThat(Exchange.outcomeOf(new EOFException())).isEqualTo("closed");
        assertThat(Exchange.outcomeOf(new SocketException("Connection reset"))).isEqualTo("closed");
    }

    @Test
    void noRouteIsNoRoute() {
        assertThat(Exchange.outcomeOf(new NoRouteToHostException("No route to host"))).isEqualTo("no-route");
        assertThat(Exchange.outcomeOf(new SocketException("Network is unreachable"))).isEqualTo("no-route");
    }

    @Test
    void anythingElseIsAnError() {
        assertThat(Exchange.outcomeOf(new IOException("bad reply"))).isEqualTo("error");
    }
}
