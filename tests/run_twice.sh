#!/usr/bin/env bash
# Two test runs at once against the same cluster must both pass (issue 17): each run makes
# its own database from the shared template (tests/database.py), so neither sees the other's
# users, keys, decisions or zones, and files under .borderzone/ carry the pid.
#
# Run by hand (not part of `make test`), from the checkout:
#   tests/run_twice.sh                 # a representative subset, against the embedded cluster
#   BORDERZONE_TEST_DATABASE_URL=postgresql+psycopg://…/borderzone_test tests/run_twice.sh
#   tests/run_twice.sh tests/api/zones # or any pytest arguments
# Exit status 0 only if both runs pass; their output is in .borderzone/run-twice-{a,b}.log.
set -u
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python
if [ $# -eq 0 ]; then
  # writes of every kind (users and keys, decisions, zones, gates), a live server process,
  # the key cache, the point check: the places two runs could collide
  set -- tests/api/security/test_security_credentials.py tests/api/security/test_key_cache.py \
         tests/api/decisions/test_decisions_timeline.py tests/api/decisions/test_decisions_cli.py \
         tests/api/zones/test_zones_api.py tests/api/gates/test_gates_cli.py \
         tests/store/test_audit.py tests/api/check/test_point_api.py tests/store/zones/test_load.py
fi
mkdir -p .borderzone
status=0
pids=()
for run in a b; do
  "$PYTHON" -m pytest -p no:cacheprovider -q "$@" >".borderzone/run-twice-$run.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  run=$([ "$i" -eq 0 ] && echo a || echo b)
  if wait "${pids[$i]}"; then
    echo "run $run: passed ($(tail -n 1 ".borderzone/run-twice-$run.log"))"
  else
    status=1
    echo "run $run: FAILED; last lines of .borderzone/run-twice-$run.log:"
    tail -n 30 ".borderzone/run-twice-$run.log"
  fi
done
exit $status
