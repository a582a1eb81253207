#!/bin/sh
# fetch.sh URL: prints the page at URL, asking up to 20 times a quarter of a second apart (a service container
# starts beside the job's first step, so it may not be listening yet).
url="${1:?usage: fetch.sh URL}"
attempt=1
while [ "$attempt" -le 20 ]; do
  if wget -qO- "$url"; then
    exit 0
  fi
  attempt=$((attempt + 1))
  sleep 0.25
done
echo "fetch.sh: no answer from $url after 20 attempts" >&2
exit 1
