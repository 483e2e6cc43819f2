#!/bin/sh
# Posts the event itself, a CloudEvents 1.0 JSON object read from stdin, to any HTTP endpoint
# (docs/notifications.md, "Examples"). Rule:
# {"events": ["*"], "command": ["examples/notify/webhook.sh"], "cooldown_s": 60}
# Needs curl, and WEBHOOK_URL in the environment.
set -eu
: "${WEBHOOK_URL:?set WEBHOOK_URL to the endpoint}"
curl -fsS --max-time 8 -X POST -H 'Content-Type: application/cloudevents+json' \
  -H "X-Exectrack-Priority: $EXECTRACK_PRIORITY" --data-binary @- "$WEBHOOK_URL"
