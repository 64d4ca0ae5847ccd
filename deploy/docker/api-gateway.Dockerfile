# syntax=docker/dockerfile:1
#
# Container image of api-gateway (the single HTTP entry point: user JWTs, routing, internal identity token).
#
# Build from the repository root, after the jars exist (./mvnw -B -DskipTests install):
#   docker build -f deploy/docker/api-gateway.Dockerfile -t phasegate/api-gateway:0.1.0-SNAPSHOT .
# Options: --build-arg JAVA_VERSION=21 (default 25: the services are compiled for Java 17 but run much faster on a
# current JDK, see docs/benchmarks.md), --build-arg VERSION=<project version> (the jar to take from target/).
# The root .dockerignore sends only the service jars and deploy/docker/ to the builder. See deploy/README.md.

ARG JAVA_VERSION=25

# --- 1. split the Spring Boot jar into its layers (dependencies change rarely, the application often) -------------
FROM eclipse-temurin:${JAVA_VERSION}-jre AS layers
WORKDIR /build
ARG VERSION=0.1.0-SNAPSHOT
COPY api-gateway/target/api-gateway-${VERSION}.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

# --- 2. the runtime image: JRE only, non-root, one layer per Spring Boot layer --------------------------------------
FROM eclipse-temurin:${JAVA_VERSION}-jre
RUN groupadd --system --gid 10001 phasegate \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin phasegate \
 && mkdir -p /app/data \
 && chown 10001:10001 /app/data
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
COPY --chmod=0555 deploy/docker/healthcheck.sh /app/healthcheck

# Listen on every interface of the container (the services default to 127.0.0.1); the data directory is the only
# place the service may write to (with a read-only root file system, mount a volume there and on /tmp).
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so that it is restarted.
ENV PHASEGATE_BIND_ADDRESS=0.0.0.0 \
    PHASEGATE_DATA_DIR=/app/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError -Ddisable-axoniq-console-message=true"

USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
    CMD /app/healthcheck "${PHASEGATE_GATEWAY_PORT:-8080}" /actuator/health/readiness
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
