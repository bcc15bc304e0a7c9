#!/bin/sh
# Run once by the postgres image when it creates the primary's data folder: let a standby stream
# from it with the database user's password (the image's own line, "host all all all", does not
# cover replication connections).
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
