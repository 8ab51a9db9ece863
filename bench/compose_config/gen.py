#!/usr/bin/env python3
"""Writes a compose file with N services (default 1000) that both berth and Debian's
docker-compose v1 accept: ports, environment, volumes, depends_on, healthcheck, deploy
resources, labels, networks and anchors."""
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
lean = "--lean" in sys.argv
n = int(args[0]) if args else 1000
out = ['version: "3.8"', "x-common: &common", "  restart: unless-stopped",
       "  labels:", "    com.example.stack: bench", "services:"]
for i in range(n):
    if lean:  # a small service: image, one port, one variable, one volume, a dependency
        out += [f"  svc{i}:", f"    image: app{i % 17}:1", f"    ports: [\"{20000 + i}:8080\"]",
                f"    environment: [INDEX={i}]", "    volumes: [shared:/shared]"]
        if i > 0:
            out += [f"    depends_on: [svc{i - 1}]"]
        continue
    out += [
        f"  svc{i}:",
        "    <<: *common",
        f"    image: \"registry.local/app{i % 17}:${{TAG:-1.{i % 5}}}\"",
        f"    command: [\"serve\", \"--port\", \"{8000 + i % 1000}\"]",
        "    environment:",
        f"      - SERVICE_INDEX={i}",
        "      - LOG_LEVEL=${LOG_LEVEL:-info}",
        f"      - PEER=svc{(i + 1) % n}",
        "    ports:",
        f"      - \"{20000 + i}:8080\"",
        f"      - \"127.0.0.1:{40000 + i}:9090/udp\"",
        "    volumes:",
        f"      - ./data/svc{i}:/data",
        "      - shared:/shared:ro",
        "    networks: [front, back]",
        "    healthcheck:",
        "      test: [\"CMD\", \"true\"]",
        "      interval: 30s",
        "      timeout: 5s",
        "      retries: 3",
        "    deploy:",
        "      resources:",
        "        limits: {cpus: \"0.5\", memory: 256M}",
    ]
    if i > 0:
        out += ["    depends_on:", f"      - svc{i - 1}"]
out += ["networks:", "  front: {}", "  back: {}", "volumes:", "  shared: {}"]
print("\n".join(out))
