#!/usr/bin/env bash
# nginx in its container (deploy/compose.yaml), as scripts/run_prod.sh runs it: deploy/nginx/nginx.conf
# and the template rendered by scripts/nginx_conf.sh from the HELPDESK_NGINX_* variables, everything
# nginx writes under a prefix in /tmp (the root file system is read-only), both access logs to stdout.
set -euo pipefail
prefix=/tmp/nginx
mkdir -p "$prefix"
cp /srv/helpdesk/deploy/nginx/nginx.conf "$prefix/nginx.conf"
/srv/helpdesk/scripts/nginx_conf.sh >"$prefix/helpdesk.conf"
ln -sf /dev/stdout "$prefix/access.log"
ln -sf /dev/stdout "$prefix/access-rasa.log"
exec nginx -p "$prefix/" -c "$prefix/nginx.conf" -e stderr -g 'daemon off;'
