package dev.reach.spi;

import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/** How {@link Tcp} (and reach's tcp.connect through it) words a connect's outcome: the pure half of {@link Tcp}. */
final class TcpWords {
    private TcpWords() {
    }

    /**
     * What reach's {@code tcp.connect} makes of a connect's outcome, from the exception's type and the kernel's errno
     * text. Pure.
     *
     * @param error   null when the connection was accepted
     * @param target  {@code address:port} tried, or the host name when it did not resolve
     * @param timeout the connect timeout that applied
     * @param elapsed how long the attempt took
     */
    static Judgement judge(Throwable error, String target, Duration timeout, Duration elapsed) {
        String connect = "connect " + target + " -> ";
        if (error == null) {
            return new Judgement(Status.OK, null, "ok", target + " accepted the connection in " + Millis.human(elapsed),
                    connect + "connected in " + Millis.human(elapsed) + " (SYN-ACK)");
        }
        String said = error.getMessage() == null ? "" : error.getMessage();
        String lower = said.toLowerCase(Locale.ROOT);
        if (error instanceof UnknownHostException) {
            String why = said.startsWith(target + ": ") ? said.substring(target.length() + 2) : said;
            return new Judgement(Status.FAIL, null, "unresolved", target + " did not resolve (" + why
                    + "); run a DNS check: this probe cannot tell a missing name from a resolver that is down",
                    "resolve " + target + " -> " + why);
        }
        if (error instanceof SocketTimeoutException) {
            String within = "no answer within " + ParamType.format(timeout);
            return new Judgement(Status.FAIL, "tcp.filtered", "timeout",
                    target + " gave " + within + ": a firewall drops it, or the host is down", connect + within + " (SYN unanswered)");
        }
        if (lower.contains("connection timed out")) { // ETIMEDOUT: the kernel gave up resending the SYN first
            return new Judgement(Status.FAIL, "tcp.filtered", "timeout", target + " gave no answer within " + Millis.human(elapsed)
                    + " (the kernel stopped resending the SYN): a firewall drops it, or the host is down", connect + said + " (ETIMEDOUT)");
        }
        if (lower.contains("connection refused")) {
            return new Judgement(Status.FAIL, "tcp.refused", "refused",
                    target + " refused the connection: nothing listens there, or a firewall rejects it with a TCP reset",
                    connect + said + " (RST)");
        }
        if (error instanceof NoRouteToHostException || lower.contains("no route to host") || lower.contains("host is unreachable")) {
            return new Judgement(Status.FAIL, "host.unreachable", "host-unreachable", target + " is unreachable: "
                    + "nobody on the link answers ARP/ND for it, or a router or firewall answered ICMP host-unreachable or prohibited",
                    connect + said + " (EHOSTUNREACH)");
        }
        if (lower.contains("network is unreachable")) {
            return new Judgement(Status.FAIL, "route.none", "network-unreachable", "no route to " + target
                    + ": this host has no route for it (or a router answered network-unreachable); add a route or a default gateway",
                    connect + said + " (ENETUNREACH)");
        }
        // EPERM from connect: a policy on this host (a cgroup BPF filter, an LSM) forbids the flow; a netfilter OUTPUT
        // DROP of the SYN is not reported (the kernel resends it), and the playbook reads the rules for that
        if (lower.contains("operation not permitted")) {
            return new Judgement(Status.FAIL, "firewall.local", "local-firewall", target
                    + " was never sent a SYN: a policy of this host's own firewall or security (a cgroup BPF filter, SELinux) forbids it",
                    connect + said + " (EPERM)");
        }
        if (lower.contains("permission denied")) { // ICMPv6 admin-prohibited, policy-fail, reject-route
            return new Judgement(Status.FAIL, "admin.prohibited", "prohibited", target
                    + " is administratively prohibited: a firewall REJECT rule answered, or a local security policy forbids it",
                    connect + said + " (EACCES)");
        }
        return new Judgement(Status.ERROR, null, "error", "connecting to " + target + " failed: " + Failures.text(error),
                connect + Failures.text(error));
    }

    /**
     * Sharpens an unreachable judgement with the ICMP error the kernel queued. Pure. A router's or firewall's ICMP
     * names its sender and its kind (admin.prohibited, net.unreachable, host.unreachable); an error this host sent
     * itself means its own ARP/ND for the next hop failed; nothing heard leaves the judgement as it was.
     */
    static Judgement refine(Judgement c, Tcp.Icmp e, String target) {
        if (e == null) {
            return c;
        }
        if (e.self()) {
            if (e.errno() == Tcp.EHOSTUNREACH || "host-unreachable".equals(e.kind())) {
                return new Judgement(c.status(), "host.unreachable", "host-unreachable", target + " is unreachable: nobody on the "
                        + "local link answers ARP/ND for it (or for the gateway to it); this host reported it to itself", c.evidence());
            }
            return c;
        }
        String from = e.from() == null ? "a router" : Addresses.text(e.from());
        String what = e.text().replace(" from " + from, "");
        return switch (e.kind()) {
            case "admin-prohibited" -> new Judgement(c.status(), "admin.prohibited", "prohibited", target
                    + " is administratively prohibited: " + from + " answered " + what + " (a firewall REJECT rule there)", c.evidence());
            case "net-unreachable" -> new Judgement(c.status(), "net.unreachable", "network-unreachable", target + " is unreachable: "
                    + from + " has no route onwards (" + what + ")", c.evidence());
            case "host-unreachable" -> new Judgement(c.status(), "host.unreachable", "host-unreachable", target + " is unreachable: "
                    + from + " cannot deliver to it (" + what + "): nobody answers ARP/ND on its last link", c.evidence());
            default -> c;
        };
    }

}
