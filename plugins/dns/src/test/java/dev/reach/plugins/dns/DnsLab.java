package dev.reach.plugins.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Three real dnsmasq servers on loopback for the integration tests, nothing forwarded off the machine:
 * <pre>
 * main      the .test zone, local only (NXDOMAIN for what it lacks): web.test A 198.18.0.10 (hosts file, so also PTR),
 *           six.test AAAA only, both.test A+AAAA, alias.test CNAME, mx.test MX, txt.test TXT, _http._tcp.web.test SRV;
 *           *.dead.test forwarded to a closed loopback port; everything else to upstream, DNSSEC-validated
 *           against the root's trust anchor, which upstream's unsigned answers fail: SERVFAIL
 * upstream  answers x.fail.example (unsigned) and REFUSES the rest
 * other     the .test zone with web.test A 198.18.0.20: disagrees with main
 * closed    a loopback port where nothing listens
 * </pre>
 */
final class DnsLab implements AutoCloseable {
    static final String ROOT_ANCHOR = ".,20326,8,2,E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";

    final Dnsmasq upstream;
    final Dnsmasq main;
    final Dnsmasq other;
    final int closed;

    DnsLab(Path dir) throws IOException, InterruptedException {
        Path hosts = Files.writeString(dir.resolve("zone-hosts"), "198.18.0.10 web.test\n");
        Dnsmasq up = null;
        Dnsmasq m = null;
        try {
            up = Dnsmasq.start(dir, "--host-record=x.fail.example,198.18.0.9");
            closed = Dnsmasq.freePort();
            m = Dnsmasq.start(dir, "--local=/test/", "--addn-hosts=" + hosts,
                    "--host-record=six.test,fd00::6", "--host-record=both.test,198.18.0.12,fd00::12",
                    "--cname=alias.test,web.test", "--mx-host=mx.test,mail.test,10", "--txt-record=txt.test,hello world",
                    "--srv-host=_http._tcp.web.test,web.test,80",
                    "--server=/dead.test/127.0.0.1#" + closed, "--server=127.0.0.1#" + up.port(),
                    "--dnssec", "--trust-anchor=" + ROOT_ANCHOR);
            other = Dnsmasq.start(dir, "--local=/test/", "--host-record=web.test,198.18.0.20");
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (m != null) {
                m.close();
            }
            if (up != null) {
                up.close();
            }
            throw e;
        }
        upstream = up;
        main = m;
    }

    @Override
    public void close() {
        other.close();
        main.close();
        upstream.close();
    }
}
