"""docker-compose.yml's production profile is the topology docs/deploy.md
describes: nginx with the shipped rules in front of two web nodes, one mail
worker, the urgent-request escalation timer, PostgreSQL and Redis with health checks, and an S3-compatible store."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def services_in(profile):
    return {
        name
        for name, service in SERVICES.items()
        if not service.get("profiles") or profile in service["profiles"]
    }


def test_prod_profile_has_the_whole_topology():
    prod = services_in("prod")
    assert {"nginx", "web", "web-2", "mailer", "postgres", "redis", "s3"} <= prod
    # Exactly one mail worker: a second is safe, but the topology says one.
    workers = [n for n in prod if "mailworker" in SERVICES[n].get("command", [])]
    assert workers == ["mailer"]
    # The escalation timer for unacknowledged urgent requests runs once.
    timers = [n for n in prod if "alert_urgent" in SERVICES[n].get("command", [])]
    assert timers == ["urgent-alerts"]


def test_default_profile_stays_one_host():
    assert {"nginx", "web-2", "s3"}.isdisjoint(services_in(""))


def test_databases_have_health_checks_that_the_app_waits_for():
    for name in ("postgres", "redis"):
        assert SERVICES[name]["healthcheck"]["test"]
    for name in ("web", "web-2", "mailer"):
        waits = SERVICES[name]["depends_on"]
        assert waits["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == (
        "service_healthy"
    )


def test_nginx_runs_the_shipped_rules_in_front_of_both_nodes():
    mounts = SERVICES["nginx"]["volumes"]
    assert "./deploy/nginx:/etc/nginx/clinic:ro" in mounts
    conf_mount = next(m for m in mounts if m.endswith("default.conf:ro"))
    conf = (ROOT / conf_mount.split(":")[0]).read_text()
    assert "include /etc/nginx/clinic/proxy.conf;" in conf
    assert "include /etc/nginx/clinic/cache-maps.conf;" in conf
    upstream = re.search(r"upstream clinic_app \{(.*?)\}", conf, re.S).group(1)
    assert re.findall(r"server (\S+):8000", upstream) == ["web", "web-2"]
    assert "non_idempotent" not in conf  # a POST that reached a node is never resent


def test_second_node_waits_for_the_media_bucket():
    waits = SERVICES["web-2"]["depends_on"]
    assert waits["s3-bucket"]["condition"] == "service_completed_successfully"


def test_redis_is_a_bounded_cache_that_evicts_instead_of_refusing_writes():
    command = SERVICES["redis"]["command"]
    flags = dict(zip(command[1::2], command[2::2], strict=False))
    assert flags["--maxmemory"]
    assert flags["--maxmemory-policy"] == "allkeys-lru"
