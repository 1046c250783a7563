// connect.js — can this machine open a TCP connection to HOST:PORT, and if not, why? (the twin of connect.yaml)
//
//   reach run playbooks/connect.js --set host=127.0.0.1 --set port=5432
//
// Connects once. A refusal or an ICMP error answers the question at once. A timeout is ambiguous (a
// firewall drops the port, or the host is down), so it then tries a few other ports on the same host,
// all at once: if any of them answers, even with a refusal, the host is alive and the port is filtered.

export const metadata = {
  name: 'connect',
  description: 'Opens a TCP connection to host:port and explains a failure.',
  inputs: {
    host: {type: 'host', required: true, description: 'the server, a name or an address'},
    port: {type: 'port', required: true, description: 'the TCP port'},
    timeout: {type: 'duration', default: '3s', description: 'how long to wait for each handshake'},
    other_ports: {type: 'ports', default: '22,80,443', description: 'ports tried to tell a filtered port from a dead host'},
  },
  timeout: '1m',
};

export function main(inputs) {
  const {host, port, timeout} = inputs;
  const c = probe('tcp.connect', {host, port, timeout}, {id: 'connect'});

  if (c.ok) {
    return verdict({cause: 'ok', confidence: 'certain', evidence: [c],
      summary: `${host}:${port} accepted the connection in ${c.facts.connect_ms} ms.`});
  }
  switch (c.cause) {
    case 'tcp.refused':
      return verdict({cause: 'tcp.refused', confidence: 'certain', evidence: [c],
        summary: `${c.facts.remote} answered the SYN with a reset: the host is up, but nothing listens on port ${port}, `
          + 'or a firewall rejects it with tcp-reset.',
        fix: `On the server: is the service running (systemctl status ...) and listening on this port and address `
          + `(ss -ltnp 'sport = :${port}')? If it is, look for a REJECT rule (nft list ruleset).`});
    case 'host.unreachable':
    case 'route.none':
    case 'admin.prohibited':
      return verdict({cause: c.cause, confidence: 'likely', summary: c.summary, evidence: [c]});
    case 'tcp.filtered':
      break; // ambiguous: look at other ports below
    default:
      return verdict({cause: 'inconclusive', confidence: 'possible', evidence: [c],
        summary: `The connection failed in a way this playbook cannot explain: ${c.summary}`,
        fix: 'Read the evidence; if the name did not resolve, check DNS first.'});
  }

  const others = inputs.other_ports.filter(p => p !== port);
  const tries = parallel(others.map(p => ['tcp.connect', {host: c.facts.address, port: p, timeout}]), {id: 'elsewhere'});
  if (tries.some(t => t.ok || t.cause === 'tcp.refused')) {
    return verdict({cause: 'tcp.filtered', confidence: 'likely', evidence: [c, 'elsewhere'],
      summary: `${host} answers on other ports, but a SYN to port ${port} got no answer within ${timeout}: a firewall drops it.`,
      fix: `Look for a DROP rule for port ${port}: on the server (nft list ruleset; iptables -S INPUT), `
        + 'then security groups and ACLs on the path.'});
  }
  return verdict({cause: 'host.down', confidence: 'possible', evidence: [c, 'elsewhere'],
    summary: `Nothing on ${host} answered: not port ${port}, nor ${others.join(',')}. The host is off or isolated, `
      + 'or a firewall drops everything from here.',
    fix: 'Check that the host is up from its console, then trace the path to it (ping, tracepath).'});
}
