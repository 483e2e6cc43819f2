#!/usr/bin/env bash
# notify-slack.sh - post a spec's progress to a Slack incoming webhook.
#
# Usage: SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... examples/notify-slack.sh SPEC
#
# Posts "Feature SPEC: N% complete (status: S)", read from `exectrack report SPEC --format json`.
# Without SLACK_WEBHOOK_URL it sends nothing and exits 0 (saying so on stderr), so it can sit in a
# hook or CI step that runs with or without the secret.
# Needs exectrack (or the binary named by $EXECTRACK), jq and curl.
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
  echo "usage: $(basename "$0") SPEC" >&2
  exit 1
fi
SPEC="$1"

# The one-line message. exectrack computes the figures from the tasks, so they are current even
# when the counters stored in the file are not. Fails (exectrack's exit code, 2 for no status
# file, 4 for a corrupt one) after exectrack has said why on stderr.
progress_text() {
  local report completion status
  report=$("${EXECTRACK:-exectrack}" report "$SPEC" --format json) || return
  completion=$(jq -r '.completion_percentage' <<<"$report") || return
  status=$(jq -r '.status' <<<"$report") || return
  printf 'Feature %s: %s%% complete (status: %s)\n' "$SPEC" "$completion" "$status"
}

if [[ -z ${SLACK_WEBHOOK_URL:-} ]]; then
  if text=$(progress_text); then
    echo "notify-slack: SLACK_WEBHOOK_URL is not set; not sending: ${text}" >&2
  else
    echo "notify-slack: SLACK_WEBHOOK_URL is not set; nothing sent" >&2
  fi
  exit 0
fi

text=$(progress_text)

# jq builds the JSON, so quotes, backslashes and newlines in the text are escaped correctly.
payload=$(jq -nc --arg text "$text" '{text: $text}')

# --fail turns an HTTP error (Slack answers 400/403/404 for a bad or revoked webhook) into a
# failure. The script then exits 1 rather than with curl's own code, which could be mistaken for
# one of exectrack's.
if ! curl --fail --silent --show-error --max-time 30 \
  -X POST -H 'Content-Type: application/json' \
  --data-binary "$payload" \
  "$SLACK_WEBHOOK_URL" >/dev/null; then
  echo "notify-slack: could not post to the webhook; not sent: ${text}" >&2
  exit 1
fi

echo "notify-slack: sent: ${text}" >&2
