#!/usr/bin/env bash
# Wait until IRIS in a container answers `intersystems_pyprod status`. When it does not, print the
# container's log and fail with a GitHub error annotation; an expired licence is named as such
# (release images carry a built-in licence key that expires, and IRIS then aborts its start-up).
#
# Usage: tests/e2e/wait_for_iris.sh [CONTAINER]   (default: iris)
# Environment: IRIS_WAIT_TRIES (60), IRIS_WAIT_DELAY (5 seconds), PYTHON (python), and the
# connection settings the command line reads (IRIS_HOST, IRIS_PORT, ...).
set -u

container="${1:-iris}"
tries="${IRIS_WAIT_TRIES:-60}"
delay="${IRIS_WAIT_DELAY:-5}"
python="${PYTHON:-python}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

licence_expired() {
  grep -qiE "license expired|invalid community edition license" "$log"
}

attempt=0
while [ "$attempt" -lt "$tries" ]; do
  attempt=$((attempt + 1))
  if "$python" -m intersystems_pyprod_cli status > /dev/null 2>&1; then
    echo "IRIS is up after $attempt tries"
    exit 0
  fi
  docker logs "$container" > "$log" 2>&1
  running="$(docker inspect -f '{{.State.Running}}' "$container" 2> /dev/null)"
  if licence_expired || [ "$running" != "true" ]; then
    break  # IRIS will not come up: no point in waiting
  fi
  sleep "$delay"
done

docker logs "$container" > "$log" 2>&1
echo "---- log of container $container (last 100 lines) ----"
tail -n 100 "$log"
echo "----"
image="$(docker inspect -f '{{.Config.Image}}' "$container" 2> /dev/null)"
if licence_expired; then
  echo "::error title=IRIS licence expired::${image:-the IRIS image} did not start: its built-in licence has expired (the container log says \"License expired\"). Use a rolling tag (intersystems/iris-community:latest-em or :latest-cd) or a newer release."
  exit 2
fi
echo "::error title=IRIS did not start::IRIS in container $container (${image:-unknown image}) did not answer after $attempt tries; its log is above."
exit 1
