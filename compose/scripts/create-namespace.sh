#!/bin/sh
# Creates the Temporal namespace and registers every search attribute the auto-healer's workflows
# set (io.autohealer.workflows.RepairSearchAttributes.ALL; ComposeFilesTest keeps this list in
# step with the code). Idempotent: what exists is left alone.
set -eu

: "${TEMPORAL_ADDRESS:?}"
NAMESPACE="${DEFAULT_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"

# name:type, one per search attribute
SEARCH_ATTRIBUTES="
RepairCluster:Keyword
RepairNode:Keyword
RepairRole:Keyword
RepairPhase:Keyword
RepairOutcome:Keyword
RepairFailedCheck:Keyword
"

until temporal operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING; do
  echo "waiting for the Temporal server at $TEMPORAL_ADDRESS"
  sleep 1
done

if ! temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"
  echo "namespace $NAMESPACE created"
fi

# A new namespace reaches the server's namespace cache after a few seconds.
tries=0
until existing="$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" 2>&1)"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ]; then
    echo "namespace $NAMESPACE is still not usable: $existing" >&2
    exit 1
  fi
  sleep 1
done
for entry in $SEARCH_ATTRIBUTES; do
  name="${entry%%:*}"
  type="${entry#*:}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" \
      --name "$name" --type "$type"
    echo "search attribute $name ($type) registered"
  fi
done
