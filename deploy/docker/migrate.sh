#!/bin/sh
# The one-shot before the app starts or is rolled (compose's `migrate` service, the Kubernetes Job):
# every Alembic head (the demo accounts too in development, as scripts/run_prod.sh), the curated guides
# into the database, then the shared index level with it.
# Run exactly one at a time; it is safe to run again (each step does only what is missing).
#   docker run --rm --env-file deploy/secrets/helpdesk.env -v helpdesk-index:/var/lib/helpdesk/index helpdesk-app:0.1.0 helpdesk-migrate
set -eu
python -m api migrate
if [ "${HELPDESK_MODE:-production}" = development ]; then python -m api seed-demo; fi
python -m knowledge load-guides
python -m knowledge build-index --if-changed
