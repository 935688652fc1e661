-- Runs once, as the postgres superuser, when the postgres container initialises an empty volume
-- (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
--
-- Creates the two roles and the database (api.md "Running", security.md):
--   * the OWNER role (APP_DB_OWNER) owns the database and its public schema; `migrate` runs as it
--     (DATABASE_OWNER_URL) and then grants the running role its rights;
--   * the RUNNING role (APP_DB_USER) is what web, worker and beat connect as (DATABASE_URL): it
--     owns nothing and gets DML rights only (audit log: INSERT and SELECT), so it can neither
--     switch row-level security off nor disable a trigger nor truncate the audit log.
-- Neither is a superuser or has BYPASSRLS: row-level security binds neither.
\set ON_ERROR_STOP on
\getenv app_db APP_DB_NAME
\getenv app_owner APP_DB_OWNER
\getenv app_owner_password APP_DB_OWNER_PASSWORD
\getenv app_user APP_DB_USER
\getenv app_password APP_DB_PASSWORD

CREATE ROLE :"app_owner" LOGIN PASSWORD :'app_owner_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"app_db" OWNER :"app_owner";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"app_owner";
GRANT CONNECT ON DATABASE :"app_db" TO :"app_user";
