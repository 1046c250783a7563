package dev.reach.core.script;

import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A real, minimal TCP connect for engine tests on loopback (core cannot use plugins/net): the same id,
 * parameters and facts as tcp.connect, so shipped playbooks run on it. Refused → tcp.refused; no answer
 * within the timeout → tcp.filtered.
 */
final class LoopbackConnectProbe implements Probe {
    private static final ProbeSpec SPEC = ProbeSpec.builder("tcp.connect", "Opens a TCP connection (test stand-in)")
            .param(Param.host("host", "host").required())
            .param(Param.port("port", "port").required())
            .param(Param.duration("timeout", "timeout").defaultValue("3s").range("1ms", "5m"))
            .param(Param.choice("family", "family", "any", "4", "6").defaultValue("any")).build();

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params p) throws Exception {
        InetAddress address = InetAddress.getByName(p.string("host"));
        int port = p.port("port");
        String remote = address.getHostAddress() + ":" + port;
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) p.duration("timeout").toMillis());
            return Observation.ok(remote + " accepted the connection").fact("address", address.getHostAddress())
                    .fact("remote", remote).fact("connect_ms", (System.nanoTime() - t0) / 1_000_000).build();
        } catch (ConnectException e) {
            return Observation.fail(remote + " refused the connection").cause("tcp.refused")
                    .fact("address", address.getHostAddress()).fact("remote", remote).evidence("RST in reply to SYN").build();
        } catch (SocketTimeoutException e) {
            return Observation.fail("no answer from " + remote + " within " + p.duration("timeout").toMillis() + " ms")
                    .cause("tcp.filtered").fact("address", address.getHostAddress()).fact("remote", remote).build();
        }
    }
}
