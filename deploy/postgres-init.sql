-- Runs once, as the postgres superuser, when the postgres container initialises an empty volume
-- (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
--
-- Creates the application role and its database. The role OWNS the database (and so, from
-- PostgreSQL 15 on, its public schema: migrations run as this role), but it is not a superuser
-- and has no BYPASSRLS: row-level security does not bind superusers or BYPASSRLS roles, so the
-- tenant wall holds only for a role like this one. Name and password come from the container's
-- environment (APP_DB_NAME, APP_DB_USER, APP_DB_PASSWORD; see .env.example).
\set ON_ERROR_STOP on
\getenv app_db APP_DB_NAME
\getenv app_user APP_DB_USER
\getenv app_password APP_DB_PASSWORD

CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"app_user";
