#!/usr/bin/env bash
# The seeds' walkthrough (seeds 000, 001, 002), word for word with Herald's names: genconfig, gentoken -u 42,
# the server with uni_http_stream enabled by an env var, two curl connections named "terminal", then the three
# sessions API calls over HTTP with "Authorization: apikey <KEY>". Every check compares exact shapes.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

passed=0
failed=0
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi
}

"$root/herald" genconfig >/dev/null
gentoken_out=$("$root/herald" gentoken -u 42)
header=$(sed -n 1p <<<"$gentoken_out")
token=$(sed -n 2p <<<"$gentoken_out")
check "gentoken prints the seed's header line" \
  test "$header" = "HMAC SHA-256 JWT for user 42 with expiration TTL 168h0m0s:"

api_key=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("config.json","utf8")).http_api.key)')
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

HERALD_HTTP_SERVER_PORT=$port HERALD_UNI_HTTP_STREAM_ENABLED=1 "$root/herald" -c config.json >server.log 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  curl -fs "http://localhost:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
check "server is up" curl -fs "http://localhost:$port/health" -o /dev/null

for i in 1 2; do
  curl -s -N -X POST "http://localhost:$port/connection/uni_http_stream" \
    --data "{\"token\": \"$token\", \"name\": \"terminal\"}" >"stream$i.txt" &
  pids+=($!)
done
for _ in $(seq 1 100); do
  [ -s stream1.txt ] && [ -s stream2.txt ] && break
  sleep 0.1
done

api() { # api BODY
  curl -s --header "Content-Type: application/json" \
    --header "Authorization: apikey $api_key" \
    --request POST \
    --data "$1" \
    "http://localhost:$port/api"
}
connections=$(api '{"method": "connections", "params": {"user": "42"}}')
user_connections=$(api '{"method": "user_connections", "params": {"user": "42"}}')
rpc=$(api '{"method": "rpc", "params": {"method": "getUserConnections", "params": {"user": "42"}}}')

# The expected answers, built from the client ids each curl stream received in its connect push.
verify() { # verify WHICH BODY
  node - "$1" "$2" <<'JS'
const fs = require('fs');
const [which, body] = process.argv.slice(2);
const ids = ['stream1.txt', 'stream2.txt'].map(f =>
  JSON.parse(fs.readFileSync(f, 'utf8').split('\n')[0]).connect.client);
const entry = { app_name: 'terminal', transport: 'uni_http_stream', protocol: 'json' };
const map = Object.fromEntries(ids.map(id => [id, entry]));
const expected = which === 'rpc' ? { result: { data: map } } : { result: { connections: map } };
const got = JSON.parse(body);
const canon = v => JSON.stringify(v, (k, x) => x && typeof x === 'object' && !Array.isArray(x)
  ? Object.fromEntries(Object.entries(x).sort()) : x);
if (canon(got) !== canon(expected)) {
  console.error(`${which}: expected ${canon(expected)}\n got ${body}`);
  process.exit(1);
}
JS
}
check "connections lists both terminal sessions in the seed's shape" verify connections "$connections"
check "user_connections lists both terminal sessions in the seed's shape" verify user_connections "$user_connections"
check "rpc getUserConnections lists both terminal sessions in the seed's shape" verify rpc "$rpc"

echo "seed walkthrough: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
