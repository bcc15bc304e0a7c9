#!/bin/sh
# A hot standby of the `db` service: on first start, a base backup of the primary (pg_basebackup -R
# writes standby.signal and primary_conninfo), then PostgreSQL replaying the primary's WAL stream.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h db -U "$POSTGRES_USER" -d "$POSTGRES_DB"; do sleep 1; done
    PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast
    chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
