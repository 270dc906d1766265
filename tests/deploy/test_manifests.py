"""The deployment files under deploy/, checked offline: no cluster, no Docker daemon, no network.

Every YAML parses; the Kubernetes manifests validate against the Kubernetes JSON schemas that
kubernetes-validate ships, deploy/compose.yaml against the compose-spec schema vendored in
check-jsonschema (the Dockerfiles are test_dockerfiles.py's). Then the files agree with the code: every variable they set is a setting of .env.example, every
probe path is a route of the app, every port matches the nginx template and the images. Each
validator also gets a broken copy, so a check that accepts everything fails here.

    .venv/bin/python -m pytest tests/deploy -q
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema
from fastapi.routing import iter_route_contexts

from api.settings import ROOT, Settings
from tests.conftest import IN_CI

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
NGINX_TEMPLATE = DEPLOY / "nginx" / "helpdesk.conf.template"
K8S_VERSION = "1.37.0"
NOT_IN_KUSTOMIZATION = {"secret.template.yaml", "migrate-job.yaml", "kustomization.yaml"}
MEASURED_RSS_MIB = {"app": 510, "rasa": 577}  # docs/scale.md, "Inputs" (the soak's end of run)
HEADROOM = 1.2


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def resources() -> list[dict[str, Any]]:
    """Every Kubernetes object under deploy/k8s (the Kustomization is kustomize's, not the API's)."""
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in documents(path) if doc["kind"] != "Kustomization"]


def find(kind: str, name: str) -> dict[str, Any]:
    return next(doc for doc in resources() if doc["kind"] == kind and doc["metadata"]["name"] == name)


def pod_labels(name: str) -> dict[str, str]:
    return find("Deployment", name)["spec"]["template"]["metadata"]["labels"]


def pod_specs() -> Iterator[dict[str, Any]]:
    for doc in resources():
        if doc["kind"] in {"Deployment", "Job"}:
            yield doc["spec"]["template"]["spec"]


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def quantity_mib(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", value).groups()  # type: ignore[union-attr]
    return float(number) * (1024 if unit == "Gi" else 1)


def port_of(url: str) -> int:
    return urlsplit(url).port or 80


# --- every YAML parses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DEPLOY.rglob("*.yaml")), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_yaml_file_parses(path: Path) -> None:
    assert documents(path), f"{path} holds no YAML document"


# --- Kubernetes: the API's schemas ---------------------------------------------------------------------


def k8s_errors(resource: dict[str, Any]) -> list[str]:
    try:
        kubernetes_validate.validate(resource, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(map(str, error.path))}: {error.message}"]
    return []


@pytest.mark.parametrize("resource", resources(), ids=lambda r: f"{r['kind']}/{r['metadata']['name']}")
def test_kubernetes_manifests_match_the_api_schemas(resource: dict[str, Any]) -> None:
    assert k8s_errors(resource) == []


def test_a_broken_kubernetes_manifest_fails_the_schema() -> None:
    typo = copy.deepcopy(find("Deployment", "helpdesk-app"))
    container = typo["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbes"] = container.pop("readinessProbe")
    wrong_type = copy.deepcopy(find("Service", "helpdesk-app"))
    wrong_type["spec"]["ports"][0]["port"] = "eight thousand"
    assert k8s_errors(typo) and k8s_errors(wrong_type)


def test_the_kustomization_lists_every_manifest_but_the_secret_template_and_the_job() -> None:
    listed = set(documents(K8S / "kustomization.yaml")[0]["resources"])
    assert listed == {path.name for path in K8S.glob("*.yaml")} - NOT_IN_KUSTOMIZATION


# --- Kubernetes: probes, resources, security, scaling ------------------------------------------------


def probe_paths(deployment: dict[str, Any]) -> dict[str, str]:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {kind: container[kind]["httpGet"]["path"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}


def test_the_app_probes_its_health_endpoints_and_rasa_its_own() -> None:
    assert probe_paths(find("Deployment", "helpdesk-app")) == {
        "startupProbe": "/api/health/live",
        "livenessProbe": "/api/health/live",
        "readinessProbe": "/api/health/ready",
    }
    assert set(probe_paths(find("Deployment", "helpdesk-bot")).values()) <= {"/", "/status"}


@pytest.fixture(scope="module")
def app_routes() -> set[str]:
    from api.app import create_app

    app = create_app(Settings(mode="development", database_url="sqlite://"))
    return {context.path for context in iter_route_contexts(app.routes)}


def test_every_probe_of_the_app_is_a_route(app_routes: set[str]) -> None:
    healthcheck = re.search(r"127\.0\.0\.1:8000(/[^'\"]*)", (DEPLOY / "docker" / "app.Dockerfile").read_text()).group(1)  # type: ignore[union-attr]
    paths = set(probe_paths(find("Deployment", "helpdesk-app")).values()) | {healthcheck}
    assert paths - app_routes == set()
    assert "/api/health" not in app_routes  # the old single probe is gone (docs/operations.md): a probe on it would fail here


@pytest.mark.parametrize(("deployment", "process"), [("helpdesk-app", "app"), ("helpdesk-bot", "rasa")])
def test_memory_requests_leave_headroom_over_the_measured_rss(deployment: str, process: str) -> None:
    memory = find("Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]["resources"]
    request, limit = quantity_mib(memory["requests"]["memory"]), quantity_mib(memory["limits"]["memory"])
    assert MEASURED_RSS_MIB[process] * HEADROOM <= request <= limit
    assert f"{MEASURED_RSS_MIB[process]} MiB" in (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")


def test_pods_run_as_non_root_on_a_read_only_root() -> None:
    for spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] > 0
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            assert container["securityContext"] == {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            }


def test_autoscalers_and_disruption_budgets_cover_both_deployments() -> None:
    for name in ("helpdesk-app", "helpdesk-bot"):
        hpa, pdb = find("HorizontalPodAutoscaler", name), find("PodDisruptionBudget", name)
        assert hpa["spec"]["scaleTargetRef"]["name"] == name and hpa["spec"]["minReplicas"] >= 2
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels(name).items()


def test_network_policies_let_only_the_app_reach_rasa() -> None:
    bot, app = find("NetworkPolicy", "helpdesk-bot")["spec"], find("NetworkPolicy", "helpdesk-app")["spec"]
    assert bot["podSelector"]["matchLabels"].items() <= pod_labels("helpdesk-bot").items()
    assert app["podSelector"]["matchLabels"].items() <= pod_labels("helpdesk-app").items()
    [rule] = bot["ingress"]
    assert [source["podSelector"]["matchLabels"] for source in rule["from"]] == [{"app.kubernetes.io/name": "helpdesk-app"}]
    assert [port["port"] for port in rule["ports"]] == [rasa_port()]
    assert {"app.kubernetes.io/name": "helpdesk-bot"} in [
        source.get("podSelector", {}).get("matchLabels") for source in app["ingress"][0]["from"]
    ]


def test_the_secret_template_holds_no_real_secret() -> None:
    values = find("Secret", "helpdesk")["stringData"]
    secrets = [name for name in values if re.search(r"SECRET|TOKEN", name)]
    assert secrets and all(values[name] == "REPLACE-ME" for name in secrets)  # production refuses them at start
    assert "REPLACE-ME@" in values["HELPDESK_DATABASE_URL"]


# --- compose: the compose-spec schema and the topology ------------------------------------------------


def compose_errors(document: dict[str, Any]) -> list[str]:
    schema = get_builtin_schema("vendor.compose-spec")
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)]


def test_compose_matches_the_compose_spec() -> None:
    assert compose_errors(compose()) == []


def test_a_broken_compose_file_fails_the_schema() -> None:
    broken = compose()
    broken["services"]["app"]["depends_on"]["migrate"]["condition"] = "when_ready"
    broken["services"]["bot"]["healthcheck"] = {"test": ["CMD", "true"], "interval": 10}
    assert len(compose_errors(broken)) >= 2


def dockerfile_of(service: dict[str, Any]) -> str:
    return (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).resolve().read_text(encoding="utf-8")


def unhealthy_dependencies(document: dict[str, Any]) -> list[str]:
    """`service_healthy` on a service with no healthcheck of its own or in its image never starts."""
    services = document["services"]
    return [
        f"{name} -> {target}"
        for name, service in services.items()
        for target, rule in service.get("depends_on", {}).items()
        if rule["condition"] == "service_healthy"
        and "healthcheck" not in services[target]
        and not ("build" in services[target] and "HEALTHCHECK" in dockerfile_of(services[target]))
    ]


def test_compose_runs_the_production_topology() -> None:
    document = compose()
    services = document["services"]
    assert {"nginx", "app", "bot", "postgres", "redis", "migrate"} <= services.keys()
    assert services["app"]["deploy"]["replicas"] == 2 and services["bot"]["deploy"]["replicas"] == 2
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["helpdesk-migrate"] and services["migrate"]["restart"] == "no"
    assert unhealthy_dependencies(document) == []
    del document["services"]["redis"]["healthcheck"]
    assert unhealthy_dependencies(document) == ["app -> redis", "bot -> redis"]


def test_nginx_renders_the_run_prod_template_instead_of_a_copy() -> None:
    nginx = compose()["services"]["nginx"]
    mounts = {volume.split(":")[0] for volume in nginx["volumes"]}
    assert {"./nginx", "../scripts/nginx_conf.sh"} <= mounts
    configs = {path.relative_to(DEPLOY).as_posix() for path in DEPLOY.rglob("*.conf*")}
    assert configs == {"nginx/nginx.conf", "nginx/helpdesk.conf.template"}, "a copied nginx config would drift from run-prod's"
    assert "nginx_conf.sh" in (DEPLOY / "docker" / "nginx-run.sh").read_text(encoding="utf-8")


SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|DATABASE_URL")


def inline_secrets(document: dict[str, Any]) -> list[str]:
    return [
        f"{name}.{key}"
        for name, service in document["services"].items()
        for key in service.get("environment", {})
        if SECRET_NAME.search(key)
    ]


def test_compose_takes_every_secret_from_an_env_file() -> None:
    document = compose()
    assert inline_secrets(document) == []
    document["services"]["bot"]["environment"]["HELPDESK_RASA_TOKEN"] = "x" * 40
    assert inline_secrets(document) == ["bot.HELPDESK_RASA_TOKEN"]
    for service in document["services"].values():
        for env_file in service.get("env_file", []):
            path = DEPLOY / env_file["path"]
            assert Path(f"{path}.example").is_file()
            ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT)
            assert ignored.returncode == 0, f"{path} holds secrets and must be ignored by git"


# --- the files agree with the code ------------------------------------------------------------------------


def env_file_names(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if "=" in line and not line.lstrip().startswith("#")}


SETTINGS = env_file_names(ROOT / ".env.example")
NGINX_VARIABLES = set(re.findall(r"\$\{(HELPDESK_NGINX_\w+)\}", NGINX_TEMPLATE.read_text(encoding="utf-8")))


def unknown_variables(names: set[str], known: set[str] = SETTINGS) -> set[str]:
    return names - known


def compose_variables(service: dict[str, Any]) -> set[str]:
    files = (Path(f"{DEPLOY / env_file['path']}.example") for env_file in service.get("env_file", []))
    return set(service.get("environment", {})).union(*(env_file_names(path) for path in files))


def k8s_variables() -> set[str]:
    names: set[str] = set()
    for doc in resources():
        if doc["kind"] in {"ConfigMap", "Secret"}:
            names |= set(doc.get("data", {})) | set(doc.get("stringData", {}))
    for spec in pod_specs():
        names |= {env["name"] for container in spec["containers"] for env in container.get("env", [])}
    return names


def test_every_variable_the_app_and_rasa_get_is_a_setting() -> None:
    services = compose()["services"]
    for name in ("app", "migrate", "bot"):
        assert unknown_variables(compose_variables(services[name])) == set(), name
    assert unknown_variables(compose_variables(services["postgres"]), {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"}) == set()
    assert unknown_variables(k8s_variables()) == set()
    for path in (DEPLOY / "docker").glob("*.Dockerfile"):
        assert unknown_variables(set(re.findall(r"\b(HELPDESK_\w+)=", path.read_text(encoding="utf-8")))) == set(), path.name
    assert unknown_variables({"HELPDESK_RASA_URL", "HELPDESK_HANDOFF__LIVE_ULR"}) == {"HELPDESK_HANDOFF__LIVE_ULR"}


def test_a_killed_rasa_server_releases_its_lock_before_the_app_gives_up() -> None:
    timeout = Settings(mode="development").rasa_timeout_s
    lifetimes = [
        compose()["services"]["bot"]["environment"]["TICKET_LOCK_LIFETIME"],
        find("ConfigMap", "helpdesk-bot")["data"]["TICKET_LOCK_LIFETIME"],
    ]
    assert all(0 < float(lifetime) < timeout for lifetime in lifetimes)


def test_nginx_gets_exactly_the_variables_its_renderer_substitutes() -> None:
    required = set(re.findall(r"HELPDESK_NGINX_\w+", (ROOT / "scripts" / "nginx_conf.sh").read_text(encoding="utf-8")))
    assert set(compose()["services"]["nginx"]["environment"]) == NGINX_VARIABLES == required


def nginx_test(environment: dict[str, str], prefix: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the site scripts/nginx_conf.sh renders from `environment`, as deploy/docker/nginx-run.sh does.
    The services' names are 127.0.0.1 here: nginx resolves upstream hosts when it reads the file."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        if IN_CI:
            pytest.fail("nginx is required with CI=true (make test installs it)")
        pytest.skip("Debian's nginx is not installed (make prod-deps installs it)")
    local = {name: re.sub(r"server (app|bot):", "server 127.0.0.1:", value) for name, value in environment.items()}
    site = subprocess.run([ROOT / "scripts" / "nginx_conf.sh"], env=local, capture_output=True, text=True, check=True)
    (prefix / "helpdesk.conf").write_text(site.stdout, encoding="utf-8")
    shutil.copy(DEPLOY / "nginx" / "nginx.conf", prefix / "nginx.conf")
    return subprocess.run(
        [nginx, "-t", "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", "stderr"], capture_output=True, text=True
    )


def test_nginx_accepts_the_site_compose_renders(tmp_path: Path) -> None:
    environment = compose()["services"]["nginx"]["environment"]
    (tmp_path / "good").mkdir()
    assert nginx_test(environment, tmp_path / "good").returncode == 0
    (tmp_path / "broken").mkdir()
    broken = nginx_test(environment | {"HELPDESK_NGINX_APP_SERVERS": "server app:8000"}, tmp_path / "broken")
    assert broken.returncode != 0 and "helpdesk.conf" in broken.stderr


def test_the_pods_read_only_config_and_secret_keys_that_exist() -> None:
    keys = {(doc["kind"], doc["metadata"]["name"]): set(doc.get("data", doc.get("stringData", {}))) for doc in resources()}
    for spec in pod_specs():
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                kind, ref = ("ConfigMap", source["configMapRef"]) if "configMapRef" in source else ("Secret", source["secretRef"])
                assert (kind, ref["name"]) in keys
            for env in container.get("env", []):
                ref = env["valueFrom"]["secretKeyRef"]
                assert ref["key"] in keys[("Secret", ref["name"])]


def uvicorn_port(dockerfile: str) -> int:
    return int(re.search(r'"--port", "(\d+)"', dockerfile).group(1))  # type: ignore[union-attr]


def rasa_port() -> int:
    return int(re.search(r"--port (\d+)", (DEPLOY / "docker" / "rasa-run.sh").read_text(encoding="utf-8")).group(1))  # type: ignore[union-attr]


def exposed(dockerfile: str) -> int:
    return int(re.search(r"^EXPOSE (\d+)$", dockerfile, re.MULTILINE).group(1))  # type: ignore[union-attr]


def compose_port_mismatches(document: dict[str, Any]) -> list[str]:
    """The nginx upstreams reach the images' ports; the app and Rasa reach nginx's two listeners."""
    services = document["services"]
    nginx, app, bot = (services[name]["environment"] for name in ("nginx", "app", "bot"))
    app_port = uvicorn_port(dockerfile_of(services["app"]))
    checks = {
        "app upstream": (re.findall(r"server app:(\d+);", nginx["HELPDESK_NGINX_APP_SERVERS"]), [str(app_port)]),
        "rasa upstream": (re.findall(r"server bot:(\d+);", nginx["HELPDESK_NGINX_RASA_SERVERS"]), [str(rasa_port())]),
        "app image": (exposed(dockerfile_of(services["app"])), app_port),
        "bot image": (exposed(dockerfile_of(services["bot"])), rasa_port()),
        "HELPDESK_RASA_URL": (port_of(app["HELPDESK_RASA_URL"]), int(nginx["HELPDESK_NGINX_RASA_LISTEN"])),
        "HELPDESK_ACTION_URL": (port_of(bot["HELPDESK_ACTION_URL"]), int(nginx["HELPDESK_NGINX_LISTEN"])),
        "published": (services["nginx"]["ports"][0].split(":")[-1], nginx["HELPDESK_NGINX_LISTEN"]),
    }
    return [name for name, (found, wanted) in checks.items() if found != wanted]


def test_compose_ports_match_the_nginx_template_and_the_images() -> None:
    document = compose()
    assert compose_port_mismatches(document) == []
    document["services"]["nginx"]["environment"]["HELPDESK_NGINX_APP_SERVERS"] = "server app:9000;"
    assert compose_port_mismatches(document) == ["app upstream"]


def service_target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", port_of(url)


def test_kubernetes_services_reach_the_containers_and_each_other() -> None:
    app_config, bot_config = find("ConfigMap", "helpdesk-app")["data"], find("ConfigMap", "helpdesk-bot")["data"]
    for name, url, port in [
        ("helpdesk-app", bot_config["HELPDESK_ACTION_URL"], uvicorn_port((DEPLOY / "docker" / "app.Dockerfile").read_text())),
        ("helpdesk-bot", app_config["HELPDESK_RASA_URL"], rasa_port()),
    ]:
        service, container = find("Service", name), find("Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        assert service_target(url) == (name, service["spec"]["ports"][0]["port"])
        assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]
        assert container["ports"][0]["containerPort"] == port
    backend = find("Ingress", "helpdesk")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["port"]["name"] in {port["name"] for port in find("Service", backend["name"])["spec"]["ports"]}
