#!/bin/bash
# Container health check of the Phasegate images (HEALTHCHECK, docker compose). The JRE base images carry neither
# curl nor wget, so this speaks HTTP/1.1 over bash's /dev/tcp.
#
#   healthcheck <port> [path]    exit 0 when GET http://127.0.0.1:<port><path> answers 200 within 4 seconds
#
# The path defaults to the readiness group of Spring Boot's health endpoint, which answers 200 (UP) or 503
# (OUT_OF_SERVICE, for example while the service starts or shuts down gracefully).
set -u
port="${1:?usage: healthcheck <port> [path]}"
path="${2:-/actuator/health/readiness}"

{ exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAccept: application/json\r\nConnection: close\r\n\r\n' \
    "$path" "$port" >&3 || exit 1
IFS= read -r -t 4 status <&3 || exit 1
exec 3<&- 3>&-
case "$status" in
    "HTTP/1."?" 200"*) exit 0 ;;
esac
exit 1
