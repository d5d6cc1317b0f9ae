"""Scrapes a node's /metrics with the Prometheus project's own Python parser
(prometheus_client.parser), sends transfers and checks that the counters move; checks
/healthz and /readyz. Usage: metrics_check.py BASE_URL HECHAIN_BIN"""

import json
import subprocess
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

base, hechain = sys.argv[1], sys.argv[2]


def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read().decode()


def scrape():
    status, ctype, text = get("/metrics")
    assert status == 200 and ctype.startswith("text/plain"), (status, ctype)
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


before = scrape()
for name in ["hechain_block_height", "hechain_pool_transactions", "hechain_storage_bytes",
             "hechain_block_interval_seconds_count", "hechain_commit_latency_seconds_count"]:
    assert any(k[0] == name for k in before), f"{name} missing from /metrics"

# Three transfers through the CLI (the dev chain signs with its first dev account).
for _ in range(3):
    subprocess.run([hechain, "--rpc", base, "--json", "transfer", "0x00000000000000000000000000000000000000bb", "1"],
                   check=True, capture_output=True)
deadline = time.time() + 20
while True:
    after = scrape()
    moved = value(after, "hechain_transactions_committed_total", kind="transfer") \
        - value(before, "hechain_transactions_committed_total", kind="transfer")
    if moved >= 3:
        break
    assert time.time() < deadline, f"transactions_committed did not move by 3: {moved}"
    time.sleep(0.2)
assert value(after, "hechain_block_height") > value(before, "hechain_block_height")
routes = {dict(k[1]).get("route") for k in after if k[0] == "hechain_rpc_requests_total"}
assert "/api/v1/transactions" in routes or "/" in routes, routes
assert value(after, "hechain_rpc_request_duration_seconds_count", route="/metrics") >= 1

status, _, body = get("/healthz")
assert status == 200 and json.loads(body)["status"] == "alive"
status, _, body = get("/readyz")
assert status == 200 and json.loads(body)["ready"] is True, body
print(f"metrics: {len(after)} samples parsed; transfers committed +{int(moved)}; /healthz and /readyz OK")
