#!/bin/sh
# Runs once, when the PostgreSQL container first makes its data folder: one role and one database per
# agency, each role owning its own database and nothing else, so that no agency's service holds a
# credential that opens another agency's database (and none is a superuser, who could switch off the
# access record's triggers anywhere). The schema registry gets its own the same way. The passwords
# come from the environment, one per database.
set -eu
for agency in identity transport taxes portal registry; do
  password_variable="$(echo "$agency" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$password_variable")"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$agency" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
