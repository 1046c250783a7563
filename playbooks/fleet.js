// fleet.js — which of these services can this machine reach, and for those it cannot, why?
//
//   reach run playbooks/fleet.js --set targets=127.0.0.1:22,127.0.0.1:5432,127.0.0.1:8080
//
// Connects to every host:port at once, then sums up: healthy when all answer; otherwise the verdict is the
// most common failure, with every target listed in the evidence, worst first.

export const metadata = {
  name: 'fleet',
  description: 'Connects to a list of host:port targets at once and summarises who is reachable.',
  inputs: {
    targets: {type: 'list', required: true, description: 'host:port pairs, comma-separated'},
    timeout: {type: 'duration', default: '2s', description: 'how long to wait for each handshake'},
  },
  timeout: '1m',
};

export function main({targets, timeout}) {
  const calls = targets.map((t, i) => {
    const at = t.lastIndexOf(':');
    if (at < 1) throw new TypeError(`target '${t}' is not host:port`);
    return ['tcp.connect', {host: t.slice(0, at), port: Number(t.slice(at + 1)), timeout}];
  });
  const results = parallel(calls, {id: 'fleet'});

  const down = results.filter(r => !r.ok);
  const lines = results.map((r, i) => `${targets[i]}: ${r.status}${r.cause ? ' (' + r.cause + ')' : ''}`);
  log(`${results.length - down.length} of ${results.length} targets answered`);
  if (down.length === 0) {
    return verdict({cause: 'ok', confidence: 'certain', evidence: lines,
      summary: `All ${results.length} targets accepted a connection.`});
  }
  const byCause = {};
  for (const r of down) byCause[r.cause ?? 'inconclusive'] = (byCause[r.cause ?? 'inconclusive'] ?? 0) + 1;
  const [cause, count] = Object.entries(byCause).sort((a, b) => b[1] - a[1])[0];
  const worstFirst = [...lines].sort((a, b) => (a.includes(': ok') ? 1 : 0) - (b.includes(': ok') ? 1 : 0));
  return verdict({cause, confidence: down.length === count ? 'likely' : 'possible', evidence: worstFirst,
    summary: `${down.length} of ${results.length} targets did not answer; ${count} of them with ${cause}.`});
}
