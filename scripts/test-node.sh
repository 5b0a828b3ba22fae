#!/usr/bin/env bash
# Runs the tests on another Node.js major version, taken from npm's `node` package:
#
#   bash scripts/test-node.sh 22            # every test project
#   bash scripts/test-node.sh 24 --project unit
#
# The native Kafka client is built for that Node's ABI (once; scripts/bootstrap.sh keeps each build in
# its cache), so the next run on the system Node restores its own build in a few seconds.
set -euo pipefail

major=${1:?usage: bash scripts/test-node.sh <major> [vitest arguments...]}
shift
cd "$(dirname "$0")/.."

bin=$(npx -y "node@$major" -p 'require("path").dirname(process.execPath)')
export PATH="$bin:$PATH"
printf '[test-node] %s\n' "$(node --version) from npm's node package"
bash scripts/bootstrap.sh
npx vitest run "$@"
