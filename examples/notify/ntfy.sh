#!/bin/sh
# Publishes the notification to an ntfy topic (docs/notifications.md, "Examples"), with ntfy's
# Title, Priority and Tags headers. Rule:
# {"events": ["error.", "spec.", "layer."], "command": ["examples/notify/ntfy.sh"]}
# Needs curl, and NTFY_URL (https://ntfy.sh/<topic>, or your server's) in the environment.
set -eu
: "${NTFY_URL:?set NTFY_URL to the topic URL, e.g. https://ntfy.sh/my-builds}"
case "$EXECTRACK_PRIORITY" in
  urgent) priority=urgent ;;
  high) priority=high ;;
  low) priority=low ;;
  *) priority=default ;;
esac
printf '%s' "${EXECTRACK_MESSAGE:-$EXECTRACK_TITLE}" |
  curl -fsS --max-time 8 -X POST -H "Title: $EXECTRACK_TITLE" -H "Priority: $priority" \
    -H "Tags: exectrack,${EXECTRACK_EVENT#dev.exectrack.}" --data-binary @- "$NTFY_URL"
