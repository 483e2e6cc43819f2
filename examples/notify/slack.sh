#!/bin/sh
# Posts the notification to a Slack incoming webhook (docs/notifications.md, "Examples").
# Rule: {"events": ["*"], "min_priority": "high", "command": ["examples/notify/slack.sh"]}
# Needs curl and jq, and SLACK_WEBHOOK_URL in the environment exectrack runs in (never in a file
# of the repository).
set -eu
: "${SLACK_WEBHOOK_URL:?set SLACK_WEBHOOK_URL to the incoming webhook URL}"
body=$(jq -n --arg title "$EXECTRACK_TITLE" --arg message "$EXECTRACK_MESSAGE" --arg priority "$EXECTRACK_PRIORITY" \
  '{text: ("*\($title)* (\($priority))" + (if $message == "" then "" else "\n\($message)" end))}')
printf '%s' "$body" |
  curl -fsS --max-time 8 -X POST -H 'Content-Type: application/json' --data-binary @- "$SLACK_WEBHOOK_URL"
