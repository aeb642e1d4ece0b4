#!/bin/sh
# Creates and migrates Temporal's two PostgreSQL databases (run by the temporal-admin-tools job,
# as in Temporal's compose examples). Safe to run again: create and update-schema are idempotent.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
  sleep 1
done

export SQL_PASSWORD="$POSTGRES_PWD"
for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema="$SCHEMA_DIR/temporal/versioned" ;;
    *) schema="$SCHEMA_DIR/visibility/versioned" ;;
  esac
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" --db "$db" create || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" --db "$db" setup-schema -v 0.0 || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" --db "$db" update-schema -d "$schema"
done
echo "PostgreSQL schemas are set up"
