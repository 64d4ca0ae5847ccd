package io.phasegate.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates the deployment files — {@code deploy/docker/*.Dockerfile}, {@code .dockerignore},
 * {@code deploy/compose/docker-compose.yml} (+ {@code .env.example}) and {@code deploy/k8s/*.yaml} — against the
 * services' real configuration: each service's {@code src/main/resources/application.yml} (ports, actuator probe
 * groups, the {@code ${VARIABLE:default}} placeholders it reads), the environment variables the Java sources read,
 * the project version and the README's configuration table. Nothing here needs a Docker engine or a cluster (the
 * development machine has neither); the files are parsed, not run.
 *
 * <p>Every check collects all problems of its kind and fails with the list, so one run shows everything to fix.
 */
class DeploymentFilesTest {

    /** The deployable services: Maven modules with an executable jar and an application.yml. */
    private static final List<String> MODULES = List.of("command-service", "query-service", "api-gateway");

    /** The variables this test holds to "the services read it". */
    private static final Pattern PHASEGATE_VARIABLE = Pattern.compile("(PHASEGATE|AXON)_[A-Z0-9_]+");
    /** Environment variables the Java sources read directly (not through application.yml). */
    private static final Pattern JAVA_ENV_READ =
            Pattern.compile("(?:getProperty|getenv)\\(\\s*\"((?:PHASEGATE|AXON)_[A-Z0-9_]+)\"");
    /** Names whose values are secrets: never a literal in a committed file. */
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|PRIVATE|CREDENTIAL).*");
    /** What a committed stand-in for a secret looks like. */
    private static final Pattern PLACEHOLDER = Pattern.compile("(?is).*(REPLACE_ME|change-me|example).*");
    /** Private key material that must never be committed. */
    private static final List<Pattern> KEY_MATERIAL = List.of(
            Pattern.compile("\"d\"\\s*:\\s*\"[A-Za-z0-9_-]{20,}\""),
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"));
    /** Spring Boot's default layers, in the order the layered jar lists them (least to most often changed). */
    private static final List<String> BOOT_LAYERS =
            List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
    private static final String LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";
    private static final String POSTGRES_PORT = "5432";

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static Path root;
    private static String projectVersion;
    private static final Map<String, ServiceConfig> SERVICES = new LinkedHashMap<>();
    private static final Set<String> READ_BY_ANY = new TreeSet<>();
    private static final Map<String, Dockerfile> DOCKERFILES = new LinkedHashMap<>();

    @BeforeAll
    static void readTheServicesConfiguration() throws IOException {
        root = repositoryRoot();
        projectVersion = tag(Files.readString(root.resolve("pom.xml")), "version", "<parent>", "</parent>");
        for (String module : MODULES) {
            ServiceConfig config = ServiceConfig.read(module);
            SERVICES.put(module, config);
            READ_BY_ANY.addAll(config.reads());
            Path dockerfile = root.resolve("deploy/docker/" + module + ".Dockerfile");
            if (Files.exists(dockerfile)) {
                DOCKERFILES.put(module, Dockerfile.parse(dockerfile));
            }
        }
    }

    // --- the services' own configuration ------------------------------------------------------------------------------

    @Test
    void servicesExposeTheActuatorProbeGroupsOnTheirPort() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfig s : SERVICES.values()) {
            String where = s.module() + "/src/main/resources/application.yml";
            if (!"true".equals(s.properties().get("management.endpoint.health.probes.enabled"))) {
                problems.add(where + ": management.endpoint.health.probes.enabled is not true, so "
                        + "/actuator/health/liveness and /readiness do not exist");
            }
            String include = s.properties().getOrDefault("management.endpoints.web.exposure.include", "health");
            if (!List.of(include.split("\\s*,\\s*")).contains("health") && !include.equals("*")) {
                problems.add(where + ": the health endpoint is not exposed over HTTP (" + include + ")");
            }
            if (s.properties().containsKey("management.server.port")) {
                problems.add(where + ": management.server.port is set; the deployment files probe server.port");
            }
            if (s.portVariable() == null || s.defaultPort() <= 0) {
                problems.add(where + ": server.port is not a ${VARIABLE:port} placeholder with a numeric default");
            }
            if (s.whole("server.address").isEmpty()) {
                problems.add(where + ": server.address is not a ${VARIABLE:address} placeholder");
            }
        }
        assertThat(problems).as("application.yml of the services").isEmpty();
    }

    // --- container images ---------------------------------------------------------------------------------------------

    @Test
    void dockerfilesBuildSmallLayeredNonRootImagesOfTheServiceJars() throws IOException {
        List<String> problems = new ArrayList<>();
        for (ServiceConfig s : SERVICES.values()) {
            Dockerfile d = DOCKERFILES.get(s.module());
            if (d == null) {
                problems.add("deploy/docker/" + s.module() + ".Dockerfile is missing");
                continue;
            }
            String where = "deploy/docker/" + s.module() + ".Dockerfile";
            Stage last = d.stages().get(d.stages().size() - 1);

            // the JRE base, Java 21 or later (the code targets 17 but runs much faster on a current JDK)
            Matcher base = Pattern.compile("eclipse-temurin:(\\d+)(?:[.\\d_+]*)-jre(?:-[a-z]+)?").matcher(last.base());
            if (!base.matches()) {
                problems.add(where + ": the runtime stage is based on " + last.base() + ", not an eclipse-temurin JRE");
            } else if (Integer.parseInt(base.group(1)) < 21) {
                problems.add(where + ": the runtime JRE is Java " + base.group(1) + "; use 21 or later");
            }

            // the jar it copies is this module's executable jar at the project version
            boolean copiesJar = false;
            for (Stage stage : d.stages()) {
                for (Copy copy : stage.copies()) {
                    if (copy.from() != null) {
                        continue;
                    }
                    for (String source : copy.sources()) {
                        if (source.endsWith(".jar")) {
                            copiesJar = true;
                            checkJarPath(where, s, source, problems);
                        } else if (!Files.exists(root.resolve(source))) {
                            problems.add(where + ": COPY " + source + " does not exist in the repository");
                        }
                    }
                }
            }
            if (!copiesJar) {
                problems.add(where + ": copies no service jar from the build context");
            }

            // layered: extracted with the tools jar mode in a build stage, the four layers copied in order
            Optional<Stage> extracting = d.stages().stream().filter(stage -> stage.runs().stream().anyMatch(run ->
                    run.contains("-Djarmode=tools") && run.contains(" extract") && run.contains("--layers")
                            && run.contains("--launcher"))).findFirst();
            if (extracting.isEmpty()) {
                problems.add(where + ": no stage runs `java -Djarmode=tools -jar ... extract --layers --launcher`");
            } else if (extracting.get() == last) {
                problems.add(where + ": the layers are extracted in the runtime stage, not in a build stage");
            } else {
                List<String> layers = new ArrayList<>();
                for (Copy copy : last.copies()) {
                    if (extracting.get().name() != null && extracting.get().name().equals(copy.from())) {
                        for (String source : copy.sources()) {
                            String trimmed = source.replaceAll("/+$", "");
                            layers.add(trimmed.substring(trimmed.lastIndexOf('/') + 1));
                        }
                    }
                }
                if (!layers.equals(BOOT_LAYERS)) {
                    problems.add(where + ": the runtime stage copies the layers " + layers + ", expected " + BOOT_LAYERS
                            + " (one COPY --from=" + extracting.get().name() + " each, in this order)");
                }
            }
            if (last.entrypoint() == null || !last.entrypoint().contains(LAUNCHER)) {
                problems.add(where + ": ENTRYPOINT does not start " + LAUNCHER + " (the extracted launcher layout)");
            }

            // non-root, by numeric id (Kubernetes can verify runAsNonRoot only for a numeric USER)
            String user = last.user();
            if (user == null) {
                problems.add(where + ": no USER in the runtime stage, so it runs as root");
            } else {
                String uid = user.split(":")[0];
                if (!uid.matches("\\d+") || Integer.parseInt(uid) == 0) {
                    problems.add(where + ": USER " + user + " is not a numeric non-root user id");
                }
            }

            // port and health check
            if (!last.exposed().equals(List.of(String.valueOf(s.defaultPort())))) {
                problems.add(where + ": EXPOSE " + last.exposed() + ", but server.port of " + s.module() + " is "
                        + s.defaultPort());
            }
            if (last.healthcheck() == null) {
                problems.add(where + ": no HEALTHCHECK");
            } else {
                String check = last.healthcheck();
                if (!check.contains(s.readinessPath())) {
                    problems.add(where + ": HEALTHCHECK does not probe " + s.readinessPath() + ": " + check);
                }
                if (!check.contains(String.valueOf(s.defaultPort()))) {
                    problems.add(where + ": HEALTHCHECK does not use port " + s.defaultPort() + ": " + check);
                }
                checkProvidedByImage(where, "HEALTHCHECK", check, last, problems);
            }

            // JVM sized by the container, and only variables the service reads
            String toolOptions = last.env().getOrDefault("JAVA_TOOL_OPTIONS", "");
            Matcher ram = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)").matcher(toolOptions);
            if (!ram.find() || Double.parseDouble(ram.group(1)) <= 0 || Double.parseDouble(ram.group(1)) > 90) {
                problems.add(where + ": JAVA_TOOL_OPTIONS does not set -XX:MaxRAMPercentage (0-90): " + toolOptions);
            }
            checkOnlyReadVariables(where, s, last.env().keySet(), problems);
        }
        assertThat(problems).as("Dockerfiles").isEmpty();
    }

    @Test
    void dockerignoreSendsWhatTheImagesCopy() throws IOException {
        List<String> problems = new ArrayList<>();
        Path ignoreFile = root.resolve(".dockerignore");
        List<String> patterns = Files.exists(ignoreFile)
                ? Files.readAllLines(ignoreFile).stream().map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList()
                : List.of();
        for (Map.Entry<String, Dockerfile> entry : DOCKERFILES.entrySet()) {
            for (Stage stage : entry.getValue().stages()) {
                for (Copy copy : stage.copies()) {
                    if (copy.from() != null) {
                        continue;
                    }
                    for (String source : copy.sources()) {
                        if (dockerIgnores(patterns, source)) {
                            problems.add(".dockerignore excludes " + source + ", which deploy/docker/"
                                    + entry.getKey() + ".Dockerfile copies");
                        }
                    }
                }
            }
        }
        // the build context is the repository root: .git and the sources stay out of it
        for (String bulky : List.of(".git/config", "command-service/src/main/resources/application.yml", "data/h2")) {
            if (!dockerIgnores(patterns, bulky)) {
                problems.add(".dockerignore sends " + bulky + " to the image builder");
            }
        }
        assertThat(problems).as(".dockerignore").isEmpty();
    }

    // --- docker compose -----------------------------------------------------------------------------------------------

    @Test
    void composeRunsAxonServerPostgresAndTheServicesHealthChecked() throws IOException {
        List<String> problems = new ArrayList<>();
        Path composeDir = root.resolve("deploy/compose");
        Path composeFile = composeDir.resolve("docker-compose.yml");
        Map<String, String> dotenv = readEnvFile(composeDir.resolve(".env.example"));
        JsonNode compose = YAML.readTree(Files.readString(composeFile));
        Compose c = new Compose(compose, dotenv);
        JsonNode services = compose.path("services");

        // interpolated variables: PHASEGATE_/AXON_ ones are variables the services read; required ones are in the
        // example .env
        for (String name : c.interpolated()) {
            if (PHASEGATE_VARIABLE.matcher(name).matches() && !READ_BY_ANY.contains(name)) {
                problems.add("docker-compose.yml interpolates ${" + name + "}, which no service reads");
            }
        }
        for (String name : c.required()) {
            if (!dotenv.containsKey(name)) {
                problems.add("docker-compose.yml requires ${" + name + "}, which .env.example does not list");
            }
        }

        // Axon Server and PostgreSQL
        String axon = c.serviceWithImage("axoniq/axonserver");
        String postgres = c.serviceWithImage("postgres");
        if (axon == null) {
            problems.add("docker-compose.yml has no Axon Server service (image axoniq/axonserver)");
        } else {
            JsonNode a = services.path(axon);
            Set<String> containerPorts = c.containerPorts(a);
            for (String port : List.of("8024", "8124")) {
                if (!containerPorts.contains(port)) {
                    problems.add("compose " + axon + ": port " + port + " is not published");
                }
            }
            if (a.path("volumes").isEmpty()) {
                problems.add("compose " + axon + ": no volumes, so the events are lost with the container");
            }
        }
        if (postgres == null) {
            problems.add("docker-compose.yml has no PostgreSQL service (image postgres)");
        } else {
            JsonNode p = services.path(postgres);
            if (!c.healthcheck(p).contains("pg_isready")) {
                problems.add("compose " + postgres + ": the health check does not use pg_isready");
            }
            if (p.path("volumes").isEmpty()) {
                problems.add("compose " + postgres + ": no volume for the database files");
            }
            String password = p.path("environment").path("POSTGRES_PASSWORD").asString("");
            if (!password.contains("${")) {
                problems.add("compose " + postgres + ": POSTGRES_PASSWORD is a literal, not taken from .env");
            }
        }

        // every service is health-checked; every dependency waits for health
        for (Map.Entry<String, JsonNode> entry : services.properties()) {
            String name = entry.getKey();
            JsonNode service = entry.getValue();
            String test = c.healthcheck(service);
            if (test.isBlank() || test.contains("NONE") || service.path("healthcheck").path("disable").asBoolean(false)) {
                problems.add("compose " + name + ": no health check");
            }
            JsonNode dependsOn = service.path("depends_on");
            if (dependsOn.isArray()) {
                problems.add("compose " + name + ": depends_on is a list; use condition: service_healthy");
            }
            for (Map.Entry<String, JsonNode> dep : dependsOn.isObject() ? dependsOn.properties() : Set.<Map.Entry<String, JsonNode>>of()) {
                if (!"service_healthy".equals(dep.getValue().path("condition").asString(""))) {
                    problems.add("compose " + name + ": depends_on " + dep.getKey() + " without condition: service_healthy");
                }
                if (!services.has(dep.getKey())) {
                    problems.add("compose " + name + ": depends_on the unknown service " + dep.getKey());
                }
            }
        }

        // the three services
        for (ServiceConfig s : SERVICES.values()) {
            String where = "compose " + s.module();
            JsonNode service = services.path(s.module());
            if (service.isMissingNode()) {
                problems.add("docker-compose.yml has no service " + s.module());
                continue;
            }
            checkImage(where, c.interpolate(service.path("image").asString("")), s.module(), problems);
            JsonNode build = service.path("build");
            Path context = composeDir.resolve(build.path("context").asString(".")).normalize();
            if (!Files.isSameFile(context, root)) {
                problems.add(where + ": build.context " + context + " is not the repository root");
            }
            Path dockerfile = context.resolve(build.path("dockerfile").asString("Dockerfile")).normalize();
            Dockerfile d = null;
            if (!Files.exists(dockerfile)) {
                problems.add(where + ": build.dockerfile " + dockerfile + " does not exist");
            } else {
                d = Dockerfile.parse(dockerfile);
                boolean ownJar = d.stages().stream().flatMap(st -> st.copies().stream())
                        .flatMap(copy -> copy.sources().stream())
                        .anyMatch(src -> src.startsWith(s.module() + "/target/") && src.endsWith(".jar"));
                if (!ownJar) {
                    problems.add(where + ": " + root.relativize(dockerfile) + " does not copy the " + s.module() + " jar");
                }
            }
            String versionArg = c.interpolate(build.path("args").path("VERSION").asString(projectVersion));
            if (!projectVersion.equals(versionArg)) {
                problems.add(where + ": build arg VERSION " + versionArg + " is not the project version " + projectVersion);
            }

            // environment: image defaults, then the compose environment (strings; compose refuses booleans)
            service.path("environment").properties().forEach(e -> {
                if (!e.getValue().isString() && !e.getValue().isNumber()) {
                    problems.add(where + ": environment " + e.getKey() + " is " + e.getValue() + ", not a string (quote it)");
                }
            });
            Map<String, String> env = new LinkedHashMap<>();
            if (d != null) {
                env.putAll(d.stages().get(d.stages().size() - 1).env());
            }
            Set<String> externalised = new TreeSet<>();
            Map<String, String> composeEnv = c.environment(service, externalised);
            checkOnlyReadVariables(where, s, composeEnv.keySet(), problems);
            env.putAll(composeEnv);
            Set<String> hosts = new TreeSet<>();
            checkEnvironment(where, s, env, externalised, c.topology(s.module(), service, hosts), problems);

            // the services it talks to are started, and healthy, before it
            for (String host : hosts) {
                if (!service.path("depends_on").path(host).isObject()) {
                    problems.add(where + ": talks to " + host + " but does not depend_on it (condition: service_healthy)");
                }
            }

            // health check: the readiness group on the service's port, run by a program the image has
            int port = s.effectivePort(env);
            String test = c.healthcheck(service);
            if (!test.contains(s.readinessPath()) || !test.contains(String.valueOf(port))) {
                problems.add(where + ": the health check does not probe " + s.readinessPath() + " on port " + port
                        + ": " + test);
            }
            if (d != null) {
                checkProvidedByImage(where, "healthcheck", test.replaceFirst("^CMD(-SHELL)? ", ""),
                        d.stages().get(d.stages().size() - 1), problems);
            }

            // a read-only root file system needs writable /tmp and data directory
            if (service.path("read_only").asBoolean(false)) {
                Set<String> writable = new TreeSet<>();
                service.path("tmpfs").forEach(t -> writable.add(t.asString().split(":")[0]));
                service.path("volumes").forEach(v -> writable.add(v.isString()
                        ? v.asString().split(":")[1] : v.path("target").asString()));
                for (String dir : s.writableDirectories(env)) {
                    if (!writable.contains(dir)) {
                        problems.add(where + ": read_only, but " + dir + " is neither a tmpfs nor a volume");
                    }
                }
            }
        }

        // the gateway is published on its port
        ServiceConfig gateway = SERVICES.get("api-gateway");
        JsonNode gatewayService = services.path("api-gateway");
        if (!gatewayService.isMissingNode() && !c.containerPorts(gatewayService).contains(String.valueOf(gateway.defaultPort()))) {
            problems.add("compose api-gateway: container port " + gateway.defaultPort() + " is not published");
        }

        // filled-in settings and key files stay out of git
        Path gitignore = composeDir.resolve(".gitignore");
        List<String> ignored = Files.exists(gitignore) ? Files.readAllLines(gitignore).stream().map(String::strip).toList() : List.of();
        for (Map.Entry<String, JsonNode> secret : compose.path("secrets").properties()) {
            String file = secret.getValue().path("file").asString("");
            if (!file.isEmpty()) {
                String top = Path.of(file).normalize().getName(0).toString();
                if (!ignored.contains(top + "/") && !ignored.contains(top) && !ignored.contains(Path.of(file).normalize().toString())) {
                    problems.add("compose secret " + secret.getKey() + " (" + file + ") is not git-ignored by deploy/compose/.gitignore");
                }
            }
        }
        if (!ignored.contains(".env")) {
            problems.add("deploy/compose/.gitignore does not ignore .env");
        }
        assertThat(problems).as("docker-compose.yml").isEmpty();
    }

    @Test
    void envExampleHoldsPlaceholdersForSecretsAndOnlyUsedSettings() throws IOException {
        List<String> problems = new ArrayList<>();
        Path composeDir = root.resolve("deploy/compose");
        Map<String, String> dotenv = readEnvFile(composeDir.resolve(".env.example"));
        Compose c = new Compose(YAML.readTree(Files.readString(composeDir.resolve("docker-compose.yml"))), dotenv);
        for (Map.Entry<String, String> entry : dotenv.entrySet()) {
            String name = entry.getKey();
            if (SECRET_NAME.matcher(name).matches() && !entry.getValue().isEmpty()
                    && !PLACEHOLDER.matcher(entry.getValue()).matches()) {
                problems.add(".env.example: " + name + " holds a value that does not look like a placeholder");
            }
            if (PHASEGATE_VARIABLE.matcher(name).matches() && !READ_BY_ANY.contains(name)) {
                problems.add(".env.example: " + name + " is not a variable any service reads");
            }
            if (!c.interpolated().contains(name)) {
                problems.add(".env.example: " + name + " is not used by docker-compose.yml");
            }
        }
        assertThat(problems).as(".env.example").isEmpty();
    }

    // --- Kubernetes ---------------------------------------------------------------------------------------------------

    @Test
    void kubernetesDeploymentsRunTheServicesWithProbesLimitsAndLeastPrivilege() throws IOException {
        List<String> problems = new ArrayList<>();
        Manifests k = Manifests.read(root.resolve("deploy/k8s"), problems);

        String namespace = k.namespace(problems);
        for (Doc doc : k.docs()) {
            if (!doc.kind().equals("Namespace") && !namespace.equals(doc.node().path("metadata").path("namespace").asString(""))) {
                problems.add(doc + ": not in the namespace " + namespace);
            }
        }

        for (ServiceConfig s : SERVICES.values()) {
            List<Doc> deployments = k.docs("Deployment").stream()
                    .filter(doc -> k.container(doc, s.module()) != null).toList();
            if (deployments.size() != 1) {
                problems.add("deploy/k8s: " + deployments.size() + " Deployments run " + s.module() + ", expected 1");
                continue;
            }
            Doc deployment = deployments.get(0);
            String where = deployment.toString();
            JsonNode pod = deployment.node().path("spec").path("template").path("spec");
            JsonNode container = k.container(deployment, s.module());
            checkImage(where, container.path("image").asString(""), s.module(), problems);

            // environment: image defaults, envFrom, env
            Map<String, String> env = new LinkedHashMap<>();
            Dockerfile d = DOCKERFILES.get(s.module());
            if (d != null) {
                env.putAll(d.stages().get(d.stages().size() - 1).env());
            }
            Set<String> externalised = new TreeSet<>();
            Map<String, String> podEnv = k.environment(where, container, externalised, problems);
            checkOnlyReadVariables(where, s, podEnv.keySet(), problems);
            env.putAll(podEnv);
            checkEnvironment(where, s, env, externalised, k.topology(deployment, container, problems), problems);

            // port and probes
            int port = s.effectivePort(env);
            Set<Integer> containerPorts = new TreeSet<>();
            container.path("ports").forEach(p -> containerPorts.add(p.path("containerPort").asInt()));
            if (!containerPorts.contains(port)) {
                problems.add(where + ": containerPort " + containerPorts + ", but " + s.module() + " listens on " + port);
            }
            for (Map.Entry<String, String> probe : Map.of("readinessProbe", s.readinessPath(),
                    "livenessProbe", s.livenessPath()).entrySet()) {
                JsonNode get = container.path(probe.getKey()).path("httpGet");
                if (get.isMissingNode()) {
                    problems.add(where + ": no " + probe.getKey() + " (httpGet " + probe.getValue() + ")");
                    continue;
                }
                if (!probe.getValue().equals(get.path("path").asString(""))) {
                    problems.add(where + ": " + probe.getKey() + " probes " + get.path("path").asString("")
                            + ", expected " + probe.getValue());
                }
                Integer probePort = Manifests.resolvePort(container, get.path("port"));
                if (probePort == null || probePort != port) {
                    problems.add(where + ": " + probe.getKey() + " probes port " + get.path("port") + ", expected " + port);
                }
            }
            JsonNode startup = container.path("startupProbe").path("httpGet");
            if (!startup.isMissingNode() && !Set.of(s.readinessPath(), s.livenessPath()).contains(startup.path("path").asString(""))) {
                problems.add(where + ": startupProbe probes " + startup.path("path") + ", not a health group");
            }

            checkResources(where, container, problems);

            // least privilege
            JsonNode podSecurity = pod.path("securityContext");
            JsonNode security = container.path("securityContext");
            if (!security.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false))) {
                problems.add(where + ": runAsNonRoot is not true");
            }
            if (security.path("runAsUser").asInt(podSecurity.path("runAsUser").asInt(-1)) == 0) {
                problems.add(where + ": runAsUser is 0");
            }
            if (security.path("allowPrivilegeEscalation").asBoolean(true)) {
                problems.add(where + ": allowPrivilegeEscalation is not false");
            }
            if (!security.path("readOnlyRootFilesystem").asBoolean(false)) {
                problems.add(where + ": readOnlyRootFilesystem is not true");
            } else {
                Map<String, JsonNode> volumes = new LinkedHashMap<>();
                pod.path("volumes").forEach(v -> volumes.put(v.path("name").asString(), v));
                Set<String> writable = new TreeSet<>();
                container.path("volumeMounts").forEach(m -> {
                    JsonNode volume = volumes.get(m.path("name").asString());
                    if (!m.path("readOnly").asBoolean(false) && volume != null
                            && (volume.has("emptyDir") || volume.has("persistentVolumeClaim") || volume.has("ephemeral"))) {
                        writable.add(m.path("mountPath").asString());
                    }
                });
                for (String dir : s.writableDirectories(env)) {
                    if (!writable.contains(dir)) {
                        problems.add(where + ": readOnlyRootFilesystem, but no writable emptyDir is mounted at " + dir);
                    }
                }
            }

            // a Service routes to the port
            boolean routed = k.docs("Service").stream().anyMatch(service -> k.selects(service, deployment)
                    && k.servicePortTargets(service, deployment, container).contains(port));
            if (!routed) {
                problems.add(where + ": no Service selects it with a port whose targetPort is " + port);
            }
        }
        assertThat(problems).as("Kubernetes Deployments").isEmpty();
    }

    @Test
    void kubernetesRunsAxonServerAsStatefulSetAndPostgresAsExternalDependency() throws IOException {
        List<String> problems = new ArrayList<>();
        Manifests k = Manifests.read(root.resolve("deploy/k8s"), problems);
        List<Doc> axon = k.docs("StatefulSet").stream()
                .filter(doc -> k.containerWithImage(doc, "axoniq/axonserver") != null).toList();
        if (axon.size() != 1) {
            problems.add("deploy/k8s: " + axon.size() + " StatefulSets run axoniq/axonserver, expected 1");
        } else {
            Doc statefulSet = axon.get(0);
            JsonNode container = k.containerWithImage(statefulSet, "axoniq/axonserver");
            String serviceName = statefulSet.node().path("spec").path("serviceName").asString("");
            Doc headless = k.find("Service", serviceName);
            if (headless == null || !"None".equals(headless.node().path("spec").path("clusterIP").asString(""))) {
                problems.add(statefulSet + ": serviceName " + serviceName + " is not a headless Service (clusterIP: None)");
            }
            JsonNode claims = statefulSet.node().path("spec").path("volumeClaimTemplates");
            if (claims.isEmpty()) {
                problems.add(statefulSet + ": no volumeClaimTemplates, so the events are lost with the pod");
            }
            Set<String> mounted = new TreeSet<>();
            container.path("volumeMounts").forEach(m -> mounted.add(m.path("name").asString()));
            claims.forEach(claim -> {
                if (!mounted.contains(claim.path("metadata").path("name").asString())) {
                    problems.add(statefulSet + ": the claim " + claim.path("metadata").path("name") + " is not mounted");
                }
            });
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                if (container.path(probe).isMissingNode()) {
                    problems.add(statefulSet + ": no " + probe);
                }
            }
            checkResources(statefulSet.toString(), container, problems);
            // the services' AXON_SERVER_ADDRESS default names the gRPC port
            for (ServiceConfig s : SERVICES.values()) {
                s.whole("axon.axonserver.servers").ifPresent(p -> {
                    String port = p.defaultValue().replaceAll(".*:", "");
                    Set<String> ports = new TreeSet<>();
                    container.path("ports").forEach(cp -> ports.add(cp.path("containerPort").asString()));
                    if (!ports.contains(port)) {
                        problems.add(statefulSet + ": Axon Server's gRPC port " + port + " (default of " + p.name()
                                + ") is not a containerPort");
                    }
                });
            }
        }
        // PostgreSQL is not deployed here: an ExternalName Service or an external host in PHASEGATE_DB_URL
        for (Doc doc : k.docs()) {
            JsonNode container = k.containerWithImage(doc, "postgres");
            if (container != null) {
                problems.add(doc + ": runs PostgreSQL in the cluster; it is an external dependency");
            }
        }
        assertThat(problems).as("Axon Server and PostgreSQL in Kubernetes").isEmpty();
    }

    @Test
    void kubernetesSecretsAreExamplePlaceholdersAndEveryReferenceResolves() throws IOException {
        List<String> problems = new ArrayList<>();
        Path dir = root.resolve("deploy/k8s");
        Manifests k = Manifests.read(dir, problems);
        for (Doc secret : k.docs("Secret")) {
            if (!secret.file().getFileName().toString().contains("example")) {
                problems.add(secret + ": a Secret outside an *example* file");
            }
            if (secret.node().has("data")) {
                problems.add(secret + ": has base64 data; committed Secrets hold stringData placeholders only");
            }
            for (Map.Entry<String, JsonNode> entry : secret.node().path("stringData").properties()) {
                if (!PLACEHOLDER.matcher(entry.getValue().asString("")).matches()) {
                    problems.add(secret + ": " + entry.getKey() + " is not a placeholder (REPLACE_ME ...)");
                }
            }
        }
        for (Doc config : k.docs("ConfigMap")) {
            for (Map.Entry<String, JsonNode> entry : config.node().path("data").properties()) {
                if (SECRET_NAME.matcher(entry.getKey()).matches()) {
                    problems.add(config + ": " + entry.getKey() + " is a secret; put it into a Secret");
                }
                if (!entry.getValue().isString()) {
                    problems.add(config + ": " + entry.getKey() + " is not a string (quote it)");
                }
            }
            boolean used = k.docs().stream().anyMatch(doc -> doc.node().toString()
                    .contains("\"configMapRef\":{\"name\":\"" + config.name() + "\"")
                    || doc.node().toString().contains("\"configMapKeyRef\":{\"name\":\"" + config.name() + "\""));
            if (!used) {
                problems.add(config + ": no workload uses it");
            }
        }
        // every Secret/ConfigMap a workload references exists, with the referenced keys
        for (Doc workload : k.workloads()) {
            JsonNode pod = workload.node().path("spec").path("template").path("spec");
            pod.path("containers").forEach(container -> {
                container.path("envFrom").forEach(from -> {
                    k.referenced(workload, from.has("secretRef") ? "Secret" : "ConfigMap",
                            from.path(from.has("secretRef") ? "secretRef" : "configMapRef").path("name").asString(), null, problems);
                });
                container.path("env").forEach(e -> {
                    JsonNode ref = e.path("valueFrom");
                    if (ref.has("secretKeyRef")) {
                        k.referenced(workload, "Secret", ref.path("secretKeyRef").path("name").asString(),
                                ref.path("secretKeyRef").path("key").asString(), problems);
                    }
                    if (ref.has("configMapKeyRef")) {
                        k.referenced(workload, "ConfigMap", ref.path("configMapKeyRef").path("name").asString(),
                                ref.path("configMapKeyRef").path("key").asString(), problems);
                    }
                    if (SECRET_NAME.matcher(e.path("name").asString()).matches() && e.has("value")) {
                        problems.add(workload + ": " + e.path("name").asString() + " is a literal; use secretKeyRef");
                    }
                    if (e.has("value") && !e.path("value").isString()) {
                        problems.add(workload + ": env " + e.path("name").asString() + " is not a string (quote it)");
                    }
                });
            });
            pod.path("volumes").forEach(volume -> {
                for (JsonNode secret : Manifests.secretSources(volume)) {
                    String name = secret.has("secretName") ? secret.path("secretName").asString() : secret.path("name").asString();
                    if (secret.path("items").isEmpty()) {
                        k.referenced(workload, "Secret", name, null, problems);
                    }
                    secret.path("items").forEach(item -> k.referenced(workload, "Secret", name, item.path("key").asString(), problems));
                }
            });
        }
        assertThat(problems).as("Kubernetes Secrets and ConfigMaps").isEmpty();
    }

    @Test
    void kustomizationListsEveryManifestButTheSecretExamples() throws IOException {
        List<String> problems = new ArrayList<>();
        Path dir = root.resolve("deploy/k8s");
        Manifests k = Manifests.read(dir, problems);
        JsonNode kustomization = YAML.readTree(Files.readString(dir.resolve("kustomization.yaml")));
        Set<String> resources = new TreeSet<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asString()));
        for (String resource : resources) {
            if (!Files.exists(dir.resolve(resource))) {
                problems.add("kustomization.yaml: resource " + resource + " does not exist");
            }
            if (resource.contains("example")) {
                problems.add("kustomization.yaml: lists the placeholder file " + resource);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
                    .filter(f -> !f.startsWith("kustomization.") && !f.contains("example"))
                    .filter(f -> !resources.contains(f))
                    .forEach(f -> problems.add("kustomization.yaml: does not list " + f));
        }
        String namespace = k.namespace(problems);
        if (!namespace.equals(kustomization.path("namespace").asString(namespace))) {
            problems.add("kustomization.yaml: namespace " + kustomization.path("namespace") + " is not " + namespace);
        }
        Set<String> repositories = new TreeSet<>();
        k.workloads().forEach(w -> w.node().path("spec").path("template").path("spec").path("containers")
                .forEach(c -> repositories.add(c.path("image").asString().replaceFirst(":[^:/]+$", ""))));
        kustomization.path("images").forEach(image -> {
            if (!repositories.contains(image.path("name").asString())) {
                problems.add("kustomization.yaml: image " + image.path("name") + " is used by no workload");
            }
            if (image.has("newTag") && image.path("name").asString().startsWith("phasegate/")
                    && !projectVersion.equals(image.path("newTag").asString())) {
                problems.add("kustomization.yaml: " + image.path("name") + " newTag is not the project version " + projectVersion);
            }
        });
        assertThat(problems).as("kustomization.yaml").isEmpty();
    }

    // --- across all deployment files ----------------------------------------------------------------------------------

    @Test
    void noKeyMaterialOrSecretValueIsCommitted() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(root.resolve(".dockerignore")));
        for (String dir : List.of("deploy/docker", "deploy/compose", "deploy/k8s")) {
            try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
                walk.filter(Files::isRegularFile)
                        // git-ignored: the operator's filled-in copies (checked to be ignored above)
                        .filter(f -> !f.startsWith(root.resolve("deploy/compose/secrets")))
                        .filter(f -> !f.equals(root.resolve("deploy/compose/.env")))
                        .forEach(files::add);
            }
        }
        files.add(root.resolve("deploy/README.md"));
        for (Path file : files) {
            if (!Files.exists(file)) {
                continue;
            }
            String text = Files.readString(file);
            for (Pattern pattern : KEY_MATERIAL) {
                if (pattern.matcher(text).find()) {
                    problems.add(root.relativize(file) + ": contains private key material (" + pattern + ")");
                }
            }
            // NAME=value / NAME: value pairs of secret-like names hold placeholders or references only
            Matcher m = Pattern.compile("(?m)^\\s*-?\\s*([A-Z][A-Z0-9_]*)\\s*[=:]\\s*\"?([^\"\\n#]*)").matcher(text);
            while (m.find()) {
                String value = m.group(2).strip();
                if (SECRET_NAME.matcher(m.group(1)).matches() && !value.isEmpty() && !value.contains("${")
                        && !PLACEHOLDER.matcher(value).matches()) {
                    problems.add(root.relativize(file) + ": " + m.group(1) + " has the literal value " + value);
                }
            }
        }
        assertThat(problems).as("secrets in deployment files").isEmpty();
    }

    @Test
    void everyVariableTheDeploymentFilesSetIsDocumented() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> documented = new TreeSet<>(readmeTableVariables(Files.readString(root.resolve("README.md"))));
        Path deployReadme = root.resolve("deploy/README.md");
        String deployText = Files.exists(deployReadme) ? Files.readString(deployReadme) : "";
        Matcher m = Pattern.compile("`((?:PHASEGATE|AXON)_[A-Z0-9_]+)`").matcher(deployText);
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> used = new TreeSet<>();
        for (Dockerfile d : DOCKERFILES.values()) {
            used.addAll(d.stages().get(d.stages().size() - 1).env().keySet());
        }
        Matcher keys = Pattern.compile("(?m)^\\s*-?\\s*(?:name:\\s*)?((?:PHASEGATE|AXON)_[A-Z0-9_]+)\\s*[:=]?")
                .matcher(Files.readString(root.resolve("deploy/compose/docker-compose.yml")) + "\n"
                        + Files.readString(root.resolve("deploy/compose/.env.example")) + "\n" + k8sText());
        while (keys.find()) {
            used.add(keys.group(1));
        }
        used.removeIf(name -> !PHASEGATE_VARIABLE.matcher(name).matches());
        for (String name : used) {
            if (!documented.contains(name)) {
                problems.add(name + " is set by the deployment files but documented neither in the README's "
                        + "configuration table nor in deploy/README.md");
            }
        }
        // deploy/README.md shows how to build each image as compose and Kubernetes name it
        for (String module : MODULES) {
            if (!deployText.contains("deploy/docker/" + module + ".Dockerfile")
                    || !deployText.contains("-t phasegate/" + module + ":")) {
                problems.add("deploy/README.md: no `docker build -f deploy/docker/" + module + ".Dockerfile -t phasegate/"
                        + module + ":...` command");
            }
        }
        assertThat(problems).as("documentation of the deployment variables").isEmpty();
    }

    // --- shared checks ------------------------------------------------------------------------------------------------

    /** What a host:port inside a deployment is, and how key files are provided there. */
    interface Topology {
        /** "module:&lt;name&gt;", "axonserver", "postgres", "external", or a sentence saying what is wrong. */
        String target(String host, String port);

        void checkKeyFile(String variable, String path, boolean needsPublicSibling, List<String> problems);
    }

    /**
     * The semantic checks of one service's environment in a deployment, derived from its application.yml:
     * storage mode, database, Axon Server, bind address, key files, key generation, development issuer and the
     * URLs of the other services.
     */
    private static void checkEnvironment(String where, ServiceConfig s, Map<String, String> env,
                                         Set<String> externalised, Topology topology, List<String> problems) {
        for (String name : env.keySet()) {
            if (SECRET_NAME.matcher(name).matches() && !externalised.contains(name)) {
                problems.add(where + ": " + name + " is a literal; take it from a secret or the .env file");
            }
        }
        s.whole("server.address").ifPresent(p -> {
            String value = env.get(p.name());
            if (!"0.0.0.0".equals(value) && !"::".equals(value)) {
                problems.add(where + ": " + p.name() + " is " + value + "; 0.0.0.0 to be reachable from outside the container");
            }
        });
        String portOverride = env.get(s.portVariable());
        if (portOverride != null && !portOverride.matches("\\d+")) {
            problems.add(where + ": " + s.portVariable() + " is not a number: " + portOverride);
        }
        s.whole("phasegate.storage.mode").ifPresent(mode -> {
            String value = env.get(mode.name());
            if (!"axonserver".equals(value)) {
                problems.add(where + ": " + mode.name() + " is " + value + ", expected axonserver");
            }
            s.whole("phasegate.storage.url").ifPresent(url -> {
                String value2 = env.get(url.name());
                Matcher jdbc = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/[^/]+").matcher(value2 == null ? "" : value2);
                if (!jdbc.matches()) {
                    problems.add(where + ": " + url.name() + " is not a jdbc:postgresql://host[:port]/database URL: " + value2);
                } else {
                    String target = topology.target(jdbc.group(1), jdbc.group(2) == null ? POSTGRES_PORT : jdbc.group(2));
                    if (!target.equals("postgres") && !target.equals("external")) {
                        problems.add(where + ": " + url.name() + " points at " + jdbc.group(1) + ": " + target);
                    }
                }
            });
            s.whole("phasegate.storage.username").ifPresent(user -> {
                if (env.get(user.name()) == null || env.get(user.name()).isBlank()) {
                    problems.add(where + ": " + user.name() + " is not set");
                }
            });
            s.whole("phasegate.storage.password").ifPresent(password -> {
                if (!env.containsKey(password.name()) || !externalised.contains(password.name())) {
                    problems.add(where + ": " + password.name() + " is not taken from a secret");
                }
            });
            s.whole("axon.axonserver.servers").ifPresent(servers -> {
                String value2 = env.get(servers.name());
                if (value2 == null || value2.isBlank()) {
                    problems.add(where + ": " + servers.name() + " is not set (Axon Server's host:port)");
                    return;
                }
                String grpcPort = servers.defaultValue().replaceAll(".*:", "");
                for (String server : value2.split(",")) {
                    String[] hostPort = server.strip().split(":");
                    String port = hostPort.length > 1 ? hostPort[1] : grpcPort;
                    String target = topology.target(hostPort[0], port);
                    if (!target.equals("axonserver")) {
                        problems.add(where + ": " + servers.name() + " " + server + " is not Axon Server: " + target);
                    } else if (!port.equals(grpcPort)) {
                        problems.add(where + ": " + servers.name() + " uses port " + port + ", Axon Server's gRPC port is " + grpcPort);
                    }
                }
            });
        });
        for (Map.Entry<String, Placeholder> entry : s.wholeByProperty().entrySet()) {
            String property = entry.getKey();
            Placeholder p = entry.getValue();
            String leaf = property.substring(property.lastIndexOf('.') + 1);
            if (leaf.equals("generate-if-missing") && !"false".equals(env.get(p.name()))) {
                problems.add(where + ": " + p.name() + " is " + env.get(p.name()) + "; keys are mounted, never generated (false)");
            }
            if (leaf.endsWith("key-file") || leaf.endsWith("keys-file")) {
                String path = env.get(p.name());
                if (path == null || path.isBlank()) {
                    problems.add(where + ": " + p.name() + " (" + property + ") is not set to a mounted key file");
                } else {
                    topology.checkKeyFile(p.name(), path, !leaf.startsWith("public"), problems);
                }
            }
            if (property.endsWith("dev-issuer.enabled")) {
                if (!"false".equals(env.get(p.name()))) {
                    problems.add(where + ": " + p.name() + " is " + env.get(p.name()) + "; the development issuer is for the embedded mode only");
                }
                s.wholeByProperty().entrySet().stream().filter(e -> e.getKey().endsWith("users.jwk-set-uri")).forEach(e -> {
                    String uri = env.get(e.getValue().name());
                    if (uri == null || !uri.matches("https?://\\S+")) {
                        problems.add(where + ": " + e.getValue().name() + " is not the identity provider's JWKS URL: " + uri);
                    }
                });
            }
        }
        // URLs of the other services: placeholders whose default is http://host:<a service's port>
        Map<String, Placeholder> urls = new LinkedHashMap<>();
        s.allPlaceholders().stream().filter(p -> p.defaultValue() != null && p.defaultValue().matches("https?://[^/:]+:\\d+/?"))
                .forEach(p -> urls.putIfAbsent(p.name(), p));
        for (Placeholder p : urls.values()) {
            String port = p.defaultValue().replaceAll("^https?://[^/:]+:(\\d+)/?$", "$1");
            Optional<ServiceConfig> target = SERVICES.values().stream()
                    .filter(other -> String.valueOf(other.defaultPort()).equals(port)).findFirst();
            if (target.isEmpty() || (p.parent() != null && env.containsKey(p.parent()))) {
                continue;
            }
            String value = env.get(p.name());
            Matcher url = Pattern.compile("https?://([^/:]+):(\\d+)/?").matcher(value == null ? "" : value);
            if (!url.matches()) {
                problems.add(where + ": " + p.name() + " must be http://<" + target.get().module() + ">:<port>, was " + value);
                continue;
            }
            String reached = topology.target(url.group(1), url.group(2));
            if (!reached.equals("module:" + target.get().module())) {
                problems.add(where + ": " + p.name() + " " + value + " does not reach " + target.get().module() + ": " + reached);
            }
        }
    }

    private static void checkOnlyReadVariables(String where, ServiceConfig s, Set<String> names, List<String> problems) {
        for (String name : names) {
            if (PHASEGATE_VARIABLE.matcher(name).matches() && !s.reads().contains(name)) {
                problems.add(where + ": sets " + name + ", which " + s.module() + " does not read"
                        + (READ_BY_ANY.contains(name) ? " (another service does)" : " (no service does)"));
            }
        }
    }

    private static void checkImage(String where, String image, String module, List<String> problems) {
        if (!image.equals("phasegate/" + module + ":" + projectVersion)) {
            problems.add(where + ": image " + image + ", expected phasegate/" + module + ":" + projectVersion
                    + " (as deploy/README.md builds it)");
        }
    }

    private static void checkJarPath(String where, ServiceConfig s, String source, List<String> problems) {
        Matcher m = Pattern.compile("([^/]+)/target/(.+)-([^-/]+-SNAPSHOT|[0-9][^/]*)\\.jar").matcher(source);
        if (!m.matches()) {
            problems.add(where + ": copies " + source + ", not <module>/target/<artifactId>-<version>.jar");
            return;
        }
        Path pom = root.resolve(m.group(1)).resolve("pom.xml");
        if (!m.group(1).equals(s.module()) || !Files.exists(pom)) {
            problems.add(where + ": copies the jar of " + m.group(1) + ", not of the module " + s.module());
            return;
        }
        try {
            String artifactId = tag(Files.readString(pom), "artifactId", "</parent>", null);
            if (!m.group(2).equals(artifactId)) {
                problems.add(where + ": copies " + source + ", but the module's artifactId is " + artifactId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!m.group(3).equals(projectVersion)) {
            problems.add(where + ": copies version " + m.group(3) + " of the jar, the project is at " + projectVersion);
        }
    }

    /** The program a health check runs must exist in the image: copied into it, or a shell. */
    private static void checkProvidedByImage(String where, String what, String command, Stage stage, List<String> problems) {
        String program = command.strip().split("\\s+")[0].replace("\"", "");
        Set<String> copied = stage.copies().stream().map(Copy::destination).collect(Collectors.toSet());
        if (!copied.contains(program) && !Set.of("bash", "sh", "/bin/sh", "/bin/bash", "java").contains(program)) {
            problems.add(where + ": " + what + " runs " + program + ", which the image does not contain");
        }
    }

    private static void checkResources(String where, JsonNode container, List<String> problems) {
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                if (container.path("resources").path(kind).path(resource).isMissingNode()) {
                    problems.add(where + ": no resources." + kind + "." + resource);
                }
            }
        }
    }

    // --- the services' configuration ---------------------------------------------------------------------------------

    record Placeholder(String name, String defaultValue, String parent) {
    }

    record ServiceConfig(String module, Map<String, String> properties, Set<String> reads,
                         Map<String, Placeholder> wholeByProperty, List<Placeholder> allPlaceholders,
                         String portVariable, int defaultPort) {

        static ServiceConfig read(String module) throws IOException {
            Path dir = root.resolve(module);
            String text = Files.readString(dir.resolve("src/main/resources/application.yml"));
            Map<String, String> properties = new LinkedHashMap<>();
            flatten("", YAML.readTree(text), properties);
            Map<String, Placeholder> whole = new LinkedHashMap<>();
            List<Placeholder> all = new ArrayList<>();
            Set<String> reads = new TreeSet<>();
            properties.forEach((key, value) -> {
                List<Placeholder> found = new ArrayList<>();
                placeholders(value, null, found);
                all.addAll(found);
                found.forEach(p -> reads.add(p.name()));
                if (value.startsWith("${") && closingBrace(value, 0) == value.length() - 1) {
                    whole.put(key, found.get(0));
                }
            });
            // variables the Java sources read from the environment (this module and the platform it builds on)
            List<Path> sources = new ArrayList<>(List.of(dir.resolve("src/main/java")));
            if (Files.readString(dir.resolve("pom.xml")).contains("<artifactId>platform</artifactId>")) {
                sources.add(root.resolve("platform/src/main/java"));
            }
            for (Path source : sources) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        Matcher m = JAVA_ENV_READ.matcher(Files.readString(file));
                        while (m.find()) {
                            reads.add(m.group(1));
                        }
                    }
                }
            }
            Placeholder port = whole.get("server.port");
            int defaultPort = port != null && port.defaultValue() != null && port.defaultValue().matches("\\d+")
                    ? Integer.parseInt(port.defaultValue()) : -1;
            return new ServiceConfig(module, properties, reads, whole, all, port == null ? null : port.name(), defaultPort);
        }

        Optional<Placeholder> whole(String property) {
            return Optional.ofNullable(wholeByProperty.get(property));
        }

        int effectivePort(Map<String, String> env) {
            String override = env.get(portVariable);
            return override != null && override.matches("\\d+") ? Integer.parseInt(override) : defaultPort;
        }

        String healthBase() {
            String base = properties.getOrDefault("management.endpoints.web.base-path", "/actuator");
            return base + "/health";
        }

        String readinessPath() {
            return healthBase() + "/readiness";
        }

        String livenessPath() {
            return healthBase() + "/liveness";
        }

        /** Where the service writes: the JVM's /tmp and the data directory. */
        List<String> writableDirectories(Map<String, String> env) {
            List<String> dirs = new ArrayList<>(List.of("/tmp"));
            allPlaceholders.stream().filter(p -> p.name().equals("PHASEGATE_DATA_DIR")).findFirst()
                    .ifPresent(p -> dirs.add(env.getOrDefault(p.name(), p.defaultValue())));
            return dirs;
        }

        private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
                }
            } else if (node.isArray()) {
                int i = 0;
                for (JsonNode element : node) {
                    flatten(prefix + "[" + i++ + "]", element, out);
                }
            } else if (!node.isNull()) {
                out.put(prefix, node.asString());
            }
        }
    }

    /** Every {@code ${name:default}} in a value, nested ones (in defaults) included. */
    static void placeholders(String value, String parent, List<Placeholder> out) {
        int i = value.indexOf("${");
        while (i >= 0) {
            int end = closingBrace(value, i);
            if (end < 0) {
                return;
            }
            String inner = value.substring(i + 2, end);
            int colon = inner.indexOf(':');
            int nested = inner.indexOf("${");
            if (nested >= 0 && (colon < 0 || nested < colon)) {
                colon = -1;
            }
            String name = colon < 0 ? inner : inner.substring(0, colon);
            String def = colon < 0 ? null : inner.substring(colon + 1);
            out.add(new Placeholder(name, def, parent));
            if (def != null) {
                placeholders(def, name, out);
            }
            i = value.indexOf("${", end + 1);
        }
    }

    private static int closingBrace(String value, int start) {
        int depth = 0;
        for (int i = start; i < value.length(); i++) {
            if (value.startsWith("${", i)) {
                depth++;
                i++;
            } else if (value.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The variables of the README's configuration table (first column; {@code `_USER`} continues the name before it). */
    static Set<String> readmeTableVariables(String readme) {
        Set<String> names = new TreeSet<>();
        for (String line : readme.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String cell = line.substring(1, line.indexOf('|', 1));
            Matcher m = Pattern.compile("`([A-Z_][A-Z0-9_]*)`").matcher(cell);
            String first = null;
            while (m.find()) {
                String token = m.group(1);
                if (token.startsWith("_") && first != null) {
                    String[] segments = first.split("_");
                    int replaced = token.substring(1).split("_").length;
                    token = String.join("_", List.of(segments).subList(0, segments.length - replaced)) + token;
                } else if (!token.startsWith("_")) {
                    first = token;
                }
                names.add(token);
            }
        }
        return names;
    }

    // --- Dockerfiles --------------------------------------------------------------------------------------------------

    record Copy(String from, List<String> sources, String destination) {
    }

    record Stage(String name, String base, Map<String, String> env, List<Copy> copies, List<String> runs,
                 List<String> exposed, String user, String healthcheck, String entrypoint) {
    }

    record Dockerfile(List<Stage> stages) {

        static Dockerfile parse(Path file) throws IOException {
            List<String[]> instructions = new ArrayList<>();
            StringBuilder current = null;
            for (String raw : Files.readString(file).split("\n", -1)) {
                String line = raw.strip();
                if (line.startsWith("#") || line.isEmpty()) { // comments (also inside continuations), directives, blanks
                    continue;
                }
                boolean continues = line.endsWith("\\");
                String part = continues ? line.substring(0, line.length() - 1).strip() : line;
                current = current == null ? new StringBuilder(part) : current.append(' ').append(part);
                if (!continues) {
                    String full = current.toString();
                    int space = full.indexOf(' ');
                    instructions.add(new String[] {full.substring(0, space < 0 ? full.length() : space).toUpperCase(),
                            space < 0 ? "" : full.substring(space + 1).strip()});
                    current = null;
                }
            }
            Map<String, String> globals = new LinkedHashMap<>();
            List<Stage> stages = new ArrayList<>();
            Map<String, String> vars = null;
            String name = null;
            String base = null;
            Map<String, String> env = null;
            List<Copy> copies = null;
            List<String> runs = null;
            List<String> exposed = null;
            String user = null;
            String healthcheck = null;
            String entrypoint = null;
            for (String[] instruction : instructions) {
                String keyword = instruction[0];
                String args = instruction[1];
                if (keyword.equals("FROM")) {
                    if (base != null) {
                        stages.add(new Stage(name, base, env, copies, runs, exposed, user, healthcheck, entrypoint));
                    }
                    String[] parts = args.split("\\s+");
                    vars = new LinkedHashMap<>();
                    base = substitute(parts[0], globals);
                    name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                    env = new LinkedHashMap<>();
                    copies = new ArrayList<>();
                    runs = new ArrayList<>();
                    exposed = new ArrayList<>();
                    user = null;
                    healthcheck = null;
                    entrypoint = null;
                    continue;
                }
                if (keyword.equals("ARG")) {
                    String[] kv = args.split("=", 2);
                    Map<String, String> target = base == null ? globals : vars;
                    if (kv.length == 2) {
                        target.put(kv[0].strip(), substitute(unquote(kv[1].strip()), target));
                    } else if (base != null && globals.containsKey(kv[0].strip())) {
                        vars.put(kv[0].strip(), globals.get(kv[0].strip()));
                    }
                    continue;
                }
                if (base == null) {
                    continue;
                }
                switch (keyword) {
                    case "ENV" -> {
                        for (Map.Entry<String, String> e : parseEnv(args).entrySet()) {
                            String value = substitute(e.getValue(), vars);
                            env.put(e.getKey(), value);
                            vars.put(e.getKey(), value);
                        }
                    }
                    case "COPY", "ADD" -> {
                        List<String> tokens = new ArrayList<>(List.of(substitute(args, vars).split("\\s+")));
                        String from = null;
                        while (!tokens.isEmpty() && tokens.get(0).startsWith("--")) {
                            String flag = tokens.remove(0);
                            if (flag.startsWith("--from=")) {
                                from = flag.substring("--from=".length());
                            }
                        }
                        String destination = tokens.remove(tokens.size() - 1);
                        copies.add(new Copy(from, List.copyOf(tokens), destination));
                    }
                    case "RUN" -> runs.add(args);
                    case "EXPOSE" -> {
                        for (String port : substitute(args, vars).split("\\s+")) {
                            exposed.add(port.replaceAll("/tcp$", ""));
                        }
                    }
                    case "USER" -> user = substitute(args, vars);
                    case "HEALTHCHECK" -> {
                        int cmd = args.indexOf("CMD ");
                        healthcheck = args.strip().equals("NONE") || cmd < 0 ? null : args.substring(cmd + 4).strip();
                    }
                    case "ENTRYPOINT" -> entrypoint = args;
                    default -> {
                    }
                }
            }
            if (base != null) {
                stages.add(new Stage(name, base, env, copies, runs, exposed, user, healthcheck, entrypoint));
            }
            return new Dockerfile(stages);
        }

        private static Map<String, String> parseEnv(String args) {
            List<String> tokens = new ArrayList<>();
            StringBuilder token = new StringBuilder();
            char quote = 0;
            for (int i = 0; i < args.length(); i++) {
                char ch = args.charAt(i);
                if (quote != 0) {
                    if (ch == quote) {
                        quote = 0;
                    } else {
                        token.append(ch);
                    }
                } else if (ch == '"' || ch == '\'') {
                    quote = ch;
                } else if (Character.isWhitespace(ch)) {
                    if (!token.isEmpty()) {
                        tokens.add(token.toString());
                        token.setLength(0);
                    }
                } else {
                    token.append(ch);
                }
            }
            if (!token.isEmpty()) {
                tokens.add(token.toString());
            }
            Map<String, String> env = new LinkedHashMap<>();
            if (!tokens.isEmpty() && !tokens.get(0).contains("=")) {
                env.put(tokens.get(0), String.join(" ", tokens.subList(1, tokens.size())));
                return env;
            }
            for (String t : tokens) {
                String[] kv = t.split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            return env;
        }

        private static String substitute(String text, Map<String, String> vars) {
            Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)").matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(3);
                String value = vars.get(name);
                if (value == null || value.isEmpty()) {
                    value = m.group(2) != null ? m.group(2) : (vars.containsKey(name) ? "" : m.group());
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }

        private static String unquote(String value) {
            return value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'")) ? value.substring(1, value.length() - 1) : value;
        }
    }

    /** Docker's rule: the last pattern matching the path or one of its parent directories decides. */
    static boolean dockerIgnores(List<String> patterns, String path) {
        boolean excluded = false;
        Path p = Path.of(path).normalize();
        for (String raw : patterns) {
            boolean negated = raw.startsWith("!");
            String pattern = Path.of((negated ? raw.substring(1) : raw).strip()).normalize().toString();
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            boolean matches = false;
            for (int i = 1; i <= p.getNameCount() && !matches; i++) {
                matches = matcher.matches(p.subpath(0, i));
            }
            if (matches) {
                excluded = !negated;
            }
        }
        return excluded;
    }

    // --- compose ------------------------------------------------------------------------------------------------------

    static final class Compose {

        private static final Pattern INTERPOLATION =
                Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

        private final JsonNode compose;
        private final Map<String, String> dotenv;
        private final Set<String> interpolated = new TreeSet<>();
        private final Set<String> required = new TreeSet<>();

        Compose(JsonNode compose, Map<String, String> dotenv) {
            this.compose = compose;
            this.dotenv = dotenv;
            collect(compose);
        }

        Set<String> interpolated() {
            return interpolated;
        }

        Set<String> required() {
            return required;
        }

        private void collect(JsonNode node) {
            if (node.isString()) {
                Matcher m = INTERPOLATION.matcher(node.asString().replace("$$", ""));
                while (m.find()) {
                    String name = m.group(1) != null ? m.group(1) : m.group(4);
                    interpolated.add(name);
                    if (m.group(2) != null && m.group(2).contains("?")) {
                        required.add(name);
                    }
                }
            }
            node.forEach(this::collect);
        }

        /** Interpolates like docker compose does, with the values of .env.example. */
        String interpolate(String text) {
            Matcher m = INTERPOLATION.matcher(text.replace("$$", "\u0000"));
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(4);
                String value = dotenv.get(name);
                String op = m.group(2);
                if (op != null && op.endsWith("-") && (value == null || (op.startsWith(":") && value.isEmpty()))) {
                    value = m.group(3);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
            }
            m.appendTail(out);
            return out.toString().replace("\u0000", "$");
        }

        String serviceWithImage(String prefix) {
            for (Map.Entry<String, JsonNode> e : compose.path("services").properties()) {
                if (interpolate(e.getValue().path("image").asString("")).startsWith(prefix)) {
                    return e.getKey();
                }
            }
            return null;
        }

        String healthcheck(JsonNode service) {
            JsonNode test = service.path("healthcheck").path("test");
            if (test.isArray()) {
                List<String> parts = new ArrayList<>();
                test.forEach(t -> parts.add(t.asString()));
                return interpolate(String.join(" ", parts));
            }
            return interpolate(test.asString(""));
        }

        Set<String> containerPorts(JsonNode service) {
            Set<String> ports = new TreeSet<>();
            service.path("ports").forEach(p -> {
                if (p.isObject()) {
                    ports.add(p.path("target").asString());
                } else {
                    String spec = interpolate(p.asString()).replaceAll("/(tcp|udp)$", "");
                    ports.add(spec.substring(spec.lastIndexOf(':') + 1));
                }
            });
            return ports;
        }

        /** The service's environment, interpolated; {@code externalised} gets the names taken from .env. */
        Map<String, String> environment(JsonNode service, Set<String> externalised) {
            Map<String, String> env = new LinkedHashMap<>();
            JsonNode environment = service.path("environment");
            Function<JsonNode, String> text = value -> value.isString() || value.isNumber() ? value.asString() : null;
            if (environment.isArray()) {
                environment.forEach(entry -> {
                    String[] kv = entry.asString().split("=", 2);
                    env.put(kv[0], kv.length > 1 ? kv[1] : null);
                });
            } else {
                environment.properties().forEach(e -> env.put(e.getKey(), text.apply(e.getValue())));
            }
            Map<String, String> result = new LinkedHashMap<>();
            env.forEach((key, raw) -> {
                if (raw != null && raw.contains("${")) {
                    externalised.add(key);
                }
                result.put(key, raw == null ? null : interpolate(raw));
            });
            return result;
        }

        Topology topology(String module, JsonNode service, Set<String> hosts) {
            JsonNode services = compose.path("services");
            return new Topology() {
                @Override
                public String target(String host, String port) {
                    hosts.add(host);
                    JsonNode other = services.path(host);
                    if (other.isMissingNode()) {
                        return "no compose service " + host;
                    }
                    if (SERVICES.containsKey(host)) {
                        ServiceConfig config = SERVICES.get(host);
                        Map<String, String> env = environment(other, new TreeSet<>());
                        int expected = config.effectivePort(env);
                        return port.equals(String.valueOf(expected)) ? "module:" + host
                                : host + " listens on " + expected + ", not " + port;
                    }
                    String image = interpolate(other.path("image").asString(""));
                    if (image.startsWith("axoniq/axonserver")) {
                        return "axonserver";
                    }
                    if (image.startsWith("postgres")) {
                        return port.equals(POSTGRES_PORT) ? "postgres" : "PostgreSQL listens on " + POSTGRES_PORT;
                    }
                    return host + " runs " + image;
                }

                @Override
                public void checkKeyFile(String variable, String path, boolean needsPublicSibling, List<String> problems) {
                    String where = "compose " + module + ": " + variable;
                    if (!path.startsWith("/run/secrets/")) {
                        problems.add(where + " " + path + " is not a mounted secret (/run/secrets/...)");
                        return;
                    }
                    Map<String, String> mounted = new LinkedHashMap<>();
                    service.path("secrets").forEach(s -> {
                        if (s.isString()) {
                            mounted.put(s.asString(), s.asString());
                        } else {
                            String source = s.path("source").asString();
                            mounted.put(s.path("target").asString(source).replaceFirst("^/run/secrets/", ""), source);
                        }
                    });
                    List<String> files = new ArrayList<>(List.of(path.substring("/run/secrets/".length())));
                    if (needsPublicSibling) {
                        files.add(files.get(0).replaceFirst("\\.json$", "") + ".public.json");
                    }
                    for (String file : files) {
                        String source = mounted.get(file);
                        if (source == null) {
                            problems.add(where + ": no secret is mounted as /run/secrets/" + file
                                    + (file.equals(files.get(0)) ? "" : " (the public sibling the service otherwise writes)"));
                        } else if (compose.path("secrets").path(source).path("file").asString("").isEmpty()
                                && !compose.path("secrets").path(source).path("external").asBoolean(false)) {
                            problems.add(where + ": the secret " + source + " is not defined (file: or external:)");
                        }
                    }
                }
            };
        }
    }

    static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || !trimmed.contains("=")) {
                continue;
            }
            String[] kv = trimmed.split("=", 2);
            values.put(kv[0].strip(), kv[1].strip().replaceAll("^\"(.*)\"$", "$1"));
        }
        return values;
    }

    // --- Kubernetes ---------------------------------------------------------------------------------------------------

    record Doc(Path file, String kind, String name, JsonNode node) {
        @Override
        public String toString() {
            return root.relativize(file) + " " + kind + "/" + name;
        }
    }

    record Manifests(List<Doc> docs) {

        static Manifests read(Path dir, List<String> problems) throws IOException {
            List<Doc> docs = new ArrayList<>();
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .filter(f -> !f.getFileName().toString().startsWith("kustomization.")).sorted().toList();
            }
            for (Path file : files) {
                try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
                    while (it.hasNextValue()) {
                        JsonNode node = it.nextValue();
                        if (node == null || !node.isObject()) {
                            continue;
                        }
                        String kind = node.path("kind").asString("");
                        String name = node.path("metadata").path("name").asString("");
                        if (kind.isEmpty() || name.isEmpty() || node.path("apiVersion").asString("").isEmpty()) {
                            problems.add(root.relativize(file) + ": a document without apiVersion, kind or metadata.name");
                            continue;
                        }
                        docs.add(new Doc(file, kind, name, node));
                    }
                }
            }
            return new Manifests(docs);
        }

        List<Doc> docs(String kind) {
            return docs.stream().filter(d -> d.kind().equals(kind)).toList();
        }

        Doc find(String kind, String name) {
            return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst().orElse(null);
        }

        List<Doc> workloads() {
            return docs.stream().filter(d -> Set.of("Deployment", "StatefulSet", "DaemonSet", "Job").contains(d.kind())).toList();
        }

        String namespace(List<String> problems) {
            List<Doc> namespaces = docs("Namespace");
            if (namespaces.size() != 1) {
                problems.add("deploy/k8s: " + namespaces.size() + " Namespaces, expected 1");
                return "";
            }
            return namespaces.get(0).name();
        }

        JsonNode container(Doc workload, String module) {
            return containerWithImage(workload, "phasegate/" + module + ":");
        }

        JsonNode containerWithImage(Doc workload, String prefix) {
            for (JsonNode c : workload.node().path("spec").path("template").path("spec").path("containers")) {
                if (c.path("image").asString("").startsWith(prefix)) {
                    return c;
                }
            }
            return null;
        }

        boolean selects(Doc service, Doc workload) {
            JsonNode selector = service.node().path("spec").path("selector");
            if (selector.isEmpty()) {
                return false;
            }
            JsonNode labels = workload.node().path("spec").path("template").path("metadata").path("labels");
            for (Map.Entry<String, JsonNode> e : selector.properties()) {
                if (!e.getValue().asString().equals(labels.path(e.getKey()).asString(null))) {
                    return false;
                }
            }
            return true;
        }

        /** The container ports a Service's ports lead to, by service port. */
        Set<Integer> servicePortTargets(Doc service, Doc workload, JsonNode container) {
            Set<Integer> targets = new TreeSet<>();
            service.node().path("spec").path("ports").forEach(p -> {
                JsonNode target = p.has("targetPort") ? p.path("targetPort") : p.path("port");
                Integer resolved = resolvePort(container, target);
                if (resolved != null) {
                    targets.add(resolved);
                }
            });
            return targets;
        }

        static Integer resolvePort(JsonNode container, JsonNode port) {
            if (port.isNumber() || port.asString("").matches("\\d+")) {
                return Integer.parseInt(port.asString());
            }
            for (JsonNode p : container.path("ports")) {
                if (p.path("name").asString("").equals(port.asString())) {
                    return p.path("containerPort").asInt();
                }
            }
            return null;
        }

        static List<JsonNode> secretSources(JsonNode volume) {
            List<JsonNode> sources = new ArrayList<>();
            if (volume.has("secret")) {
                sources.add(volume.path("secret"));
            }
            volume.path("projected").path("sources").forEach(s -> {
                if (s.has("secret")) {
                    sources.add(s.path("secret"));
                }
            });
            return sources;
        }

        void referenced(Doc workload, String kind, String name, String key, List<String> problems) {
            Doc doc = find(kind, name);
            if (doc == null) {
                problems.add(workload + ": references the " + kind + " " + name + ", which no manifest defines");
                return;
            }
            if (key != null) {
                JsonNode data = doc.node().path(kind.equals("Secret") ? "stringData" : "data");
                if (!data.has(key) && !doc.node().path("data").has(key)) {
                    problems.add(workload + ": references the key " + key + " of " + kind + " " + name + ", which it lacks");
                }
            }
        }

        /** The container's environment: envFrom, then env; {@code externalised} gets the names taken from Secrets. */
        Map<String, String> environment(String where, JsonNode container, Set<String> externalised, List<String> problems) {
            Map<String, String> env = new LinkedHashMap<>();
            container.path("envFrom").forEach(from -> {
                boolean secret = from.has("secretRef");
                Doc source = find(secret ? "Secret" : "ConfigMap",
                        from.path(secret ? "secretRef" : "configMapRef").path("name").asString());
                if (source != null) {
                    JsonNode data = source.node().path(secret ? "stringData" : "data");
                    data.properties().forEach(e -> {
                        env.put(e.getKey(), secret ? null : e.getValue().asString());
                        if (secret) {
                            externalised.add(e.getKey());
                        }
                    });
                }
            });
            container.path("env").forEach(e -> {
                String name = e.path("name").asString();
                JsonNode from = e.path("valueFrom");
                if (from.has("secretKeyRef")) {
                    env.put(name, null);
                    externalised.add(name);
                } else if (from.has("configMapKeyRef")) {
                    Doc source = find("ConfigMap", from.path("configMapKeyRef").path("name").asString());
                    env.put(name, source == null ? null
                            : source.node().path("data").path(from.path("configMapKeyRef").path("key").asString()).asString(null));
                } else if (e.has("value")) {
                    env.put(name, e.path("value").asString());
                    externalised.remove(name);
                } else {
                    env.put(name, null);
                }
            });
            return env;
        }

        Topology topology(Doc workload, JsonNode container, List<String> problems) {
            Manifests self = this;
            return new Topology() {
                @Override
                public String target(String host, String port) {
                    String name = host.replaceFirst("\\.[a-z0-9-]+(\\.svc(\\.cluster\\.local)?)?$", "");
                    Doc service = find("Service", host.contains(".") ? name : host);
                    if (service == null) {
                        return host.contains(".") ? "external" : "no Service " + host;
                    }
                    if ("ExternalName".equals(service.node().path("spec").path("type").asString(""))) {
                        return "external";
                    }
                    for (Doc target : workloads()) {
                        if (!self.selects(service, target)) {
                            continue;
                        }
                        for (JsonNode c : target.node().path("spec").path("template").path("spec").path("containers")) {
                            for (JsonNode p : service.node().path("spec").path("ports")) {
                                if (!p.path("port").asString().equals(port)) {
                                    continue;
                                }
                                Integer containerPort = resolvePort(c, p.has("targetPort") ? p.path("targetPort") : p.path("port"));
                                boolean listens = false;
                                for (JsonNode cp : c.path("ports")) {
                                    listens |= containerPort != null && cp.path("containerPort").asInt() == containerPort;
                                }
                                if (!listens) {
                                    continue;
                                }
                                String image = c.path("image").asString("");
                                for (String module : MODULES) {
                                    if (image.startsWith("phasegate/" + module + ":")) {
                                        return "module:" + module;
                                    }
                                }
                                if (image.startsWith("axoniq/axonserver")) {
                                    return "axonserver";
                                }
                                if (image.startsWith("postgres")) {
                                    return "postgres";
                                }
                                return "Service " + host + " runs " + image;
                            }
                        }
                    }
                    return "Service " + host + " has no port " + port + " leading to a container port";
                }

                @Override
                public void checkKeyFile(String variable, String path, boolean needsPublicSibling, List<String> problems) {
                    String where = workload + ": " + variable + " " + path;
                    JsonNode mount = null;
                    for (JsonNode m : container.path("volumeMounts")) {
                        String dir = m.path("mountPath").asString().replaceAll("/+$", "");
                        if (path.startsWith(dir + "/") && (mount == null
                                || dir.length() > mount.path("mountPath").asString().length())) {
                            mount = m;
                        }
                    }
                    if (mount == null) {
                        problems.add(where + " is in no mounted volume");
                        return;
                    }
                    JsonNode volume = null;
                    for (JsonNode v : workload.node().path("spec").path("template").path("spec").path("volumes")) {
                        if (v.path("name").asString().equals(mount.path("name").asString())) {
                            volume = v;
                        }
                    }
                    List<JsonNode> secrets = volume == null ? List.of() : secretSources(volume);
                    if (secrets.isEmpty()) {
                        problems.add(where + " is not in a Secret volume");
                        return;
                    }
                    Set<String> provided = new TreeSet<>();
                    for (JsonNode secret : secrets) {
                        String secretName = secret.has("secretName") ? secret.path("secretName").asString() : secret.path("name").asString();
                        if (secret.path("items").isEmpty()) {
                            Doc doc = find("Secret", secretName);
                            if (doc != null) {
                                doc.node().path("stringData").propertyNames().forEach(provided::add);
                                doc.node().path("data").propertyNames().forEach(provided::add);
                            }
                        }
                        secret.path("items").forEach(item -> provided.add(item.path("path").asString()));
                    }
                    String relative = path.substring(mount.path("mountPath").asString().replaceAll("/+$", "").length() + 1);
                    if (!provided.contains(relative)) {
                        problems.add(where + ": the volume " + mount.path("name").asString() + " provides " + provided
                                + ", not " + relative);
                    }
                    String sibling = relative.replaceFirst("\\.json$", "") + ".public.json";
                    if (needsPublicSibling && !provided.contains(sibling)) {
                        problems.add(where + ": the volume lacks " + sibling
                                + " (the service writes it at start-up when missing, which fails on a read-only volume)");
                    }
                    if (!mount.path("readOnly").asBoolean(false)) {
                        problems.add(where + ": the key volume is not mounted readOnly");
                    }
                }
            };
        }
    }

    private static String k8sText() throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(root.resolve("deploy/k8s"))) {
            for (Path file : files.sorted().toList()) {
                text.append(Files.readString(file)).append('\n');
            }
        }
        return text.toString();
    }

    // --- helpers ------------------------------------------------------------------------------------------------------

    private static Path repositoryRoot() {
        String property = System.getProperty("phasegate.root");
        Path start = Path.of(property != null && !property.isBlank() ? property : ".").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("deploy")) && Files.exists(dir.resolve("command-service/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find the repository root from " + start + "; set -Dphasegate.root");
    }

    /**
     * The first {@code <tag>} of a pom after {@code start}; with {@code end}, after the {@code end} that follows
     * {@code start} (the project's version after its parent's).
     */
    private static String tag(String xml, String tag, String start, String end) {
        int from = 0;
        if (end != null) {
            int s = xml.indexOf(start);
            from = s < 0 ? 0 : xml.indexOf(end, s) + end.length();
        } else if (start != null) {
            int s = xml.indexOf(start);
            from = s < 0 ? 0 : s + start.length();
        }
        Matcher m = Pattern.compile("<" + tag + ">\\s*([^<]+?)\\s*</" + tag + ">").matcher(xml);
        if (!m.find(from)) {
            throw new IllegalStateException("no <" + tag + "> in the pom");
        }
        return m.group(1);
    }
}
