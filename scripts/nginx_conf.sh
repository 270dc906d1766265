#!/usr/bin/env bash
# Render deploy/nginx/helpdesk.conf.template to stdout with the HELPDESK_NGINX_* variables (only
# those: nginx's own $host, $uri … stay as they are). Used by scripts/run_prod.sh and bench/topology.py.
set -euo pipefail
cd "$(dirname "$0")/.."
for name in HELPDESK_NGINX_LISTEN HELPDESK_NGINX_APP_SERVERS HELPDESK_NGINX_RASA_LISTEN HELPDESK_NGINX_RASA_SERVERS; do
  [ -n "${!name:-}" ] || { echo "scripts/nginx_conf.sh: $name is not set" >&2; exit 1; }
done
envsubst '${HELPDESK_NGINX_LISTEN} ${HELPDESK_NGINX_APP_SERVERS} ${HELPDESK_NGINX_RASA_LISTEN} ${HELPDESK_NGINX_RASA_SERVERS}' \
  < deploy/nginx/helpdesk.conf.template
