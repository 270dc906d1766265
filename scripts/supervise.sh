#!/usr/bin/env bash
# Keep one process running: `scripts/supervise.sh <name> <command...>` restarts <command> whenever it
# exits, after a back-off (1 s, doubling up to SUPERVISE_MAX_BACKOFF_S; back to 1 s once it has run
# SUPERVISE_STABLE_S), until it gets TERM or INT, which it passes on to the process before exiting.
# Used by scripts/run.sh (make run) for Rasa and the app; production uses systemd or Kubernetes
# instead (docs/reliability.md).
set -uo pipefail
name=$1
shift
max_backoff=${SUPERVISE_MAX_BACKOFF_S:-30}
stable=${SUPERVISE_STABLE_S:-60}
child=""
stopping=0

say() { echo "[supervise] $name: $*" >&2; }
stop() {
  stopping=1
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT

backoff=1
while [ "$stopping" = 0 ]; do
  started=$SECONDS
  "$@" &
  child=$!
  say "started (pid $child)"
  wait "$child"
  status=$?
  child=""
  [ "$stopping" = 1 ] && break
  if [ $((SECONDS - started)) -ge "$stable" ]; then backoff=1; fi
  say "exited with status $status; restarting in ${backoff} s"
  sleep "$backoff" &
  wait $!  # a TERM during the back-off stops at once
  backoff=$((backoff * 2 > max_backoff ? max_backoff : backoff * 2))
done
