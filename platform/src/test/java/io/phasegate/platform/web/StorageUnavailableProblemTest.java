package io.phasegate.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import tools.jackson.databind.json.JsonMapper;

/** A database that cannot be reached answers a retryable 503 problem, not a 500 (found by the restart test). */
class StorageUnavailableProblemTest {

    private final ProblemDetailsExceptionHandler handler =
            new ProblemDetailsExceptionHandler(JsonMapper.builder().build(), List.of());
    private final MockServerWebExchange exchange =
            MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/tasks/claim"));

    @Test
    void connectionFailuresAnswer503WithRetryAfter() {
        List<Throwable> failures = List.of(
                new IllegalStateException("wrapped", new SQLTransientConnectionException("pool timed out")),
                new RuntimeException(new SQLException("connection refused", "08001")),
                new RuntimeException(new RuntimeException(new ConnectException("refused"))),
                new org.springframework.jdbc.CannotGetJdbcConnectionException("no connection"));
        for (Throwable failure : failures) {
            ApiException problem = handler.toProblem(failure, exchange);
            assertThat(problem.status()).as(failure.toString()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(problem.code()).isEqualTo("storage_unavailable");
        }
    }

    /** Hikari closes a broken connection under a running command; its proxy then throws without an SQL state. */
    @Test
    void aConnectionThePoolClosedAnswers503() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:closed-by-pool;DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(1);
        SQLException closed;
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Connection connection = pool.getConnection();
            connection.close();
            closed = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, connection::createStatement);
        }
        assertThat(closed.getSQLState()).isNull();
        ApiException problem = handler.toProblem(new RuntimeException("Failed to create a SQL statement", closed),
                exchange);
        assertThat(problem.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(problem.code()).isEqualTo("storage_unavailable");
    }

    @Test
    void otherFailuresStayInternalErrors() {
        for (Throwable failure : List.of(new IllegalStateException("bug"),
                new RuntimeException(new SQLException("Connection is closed")),
                new RuntimeException(new SQLException("syntax error", "42601")))) {
            ApiException problem = handler.toProblem(failure, exchange);
            assertThat(problem.status()).as(failure.toString()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
            assertThat(problem.code()).isEqualTo("internal_error");
        }
    }
}
