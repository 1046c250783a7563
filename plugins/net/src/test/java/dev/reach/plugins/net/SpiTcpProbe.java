package dev.reach.plugins.net;

import dev.reach.spi.Observation;
import dev.reach.spi.Param;
import dev.reach.spi.Params;
import dev.reach.spi.Probe;
import dev.reach.spi.ProbeContext;
import dev.reach.spi.ProbeSpec;
import dev.reach.spi.Tcp;

/** A third party's probe reduced to the SPI's {@link Tcp#connect}: what another plugin hears, where tcp.connect is loaded. */
public final class SpiTcpProbe implements Probe {
    private static final ProbeSpec SPEC = ProbeSpec.builder("spi.tcp", "Connects with the SPI's Tcp.connect")
            .param(Param.host("host", "address").required())
            .param(Param.port("port", "TCP port").required())
            .param(Param.duration("timeout", "the budget").defaultValue("3s").range("1ms", "1m"))
            .fact("outcome", "string", "how the connect went")
            .fact("connect_ms", "number", "time to the outcome")
            .fact("icmp", "string", "the ICMP error heard")
            .fact("icmp_from", "string", "who sent it")
            .causes("admin.prohibited", "firewall.local", "host.unreachable", "net.unreachable", "route.none",
                    "tcp.filtered", "tcp.refused")
            .build();

    public SpiTcpProbe() {
        new TcpConnectProbe(); // as reach does when it loads the network plugin: it lends Tcp its ICMP reader
    }

    @Override
    public ProbeSpec spec() {
        return SPEC;
    }

    @Override
    public Observation run(ProbeContext ctx, Params params) {
        try (Tcp.Outcome o = Tcp.connect(ctx, params.string("host"), params.port("port"), params.duration("timeout"))) {
            return o.observation().build();
        }
    }
}
