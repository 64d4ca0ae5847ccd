package io.phasegate.query;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The read side: projections fed by events, query handlers and the HTTP query API. */
@SpringBootApplication
public class QueryServiceApplication {
    public static void main(String[] args) {
        // Axon's update checker phones home; Phasegate never lets it (also AXONIQ_UPDATE_CHECKER_DISABLED).
        System.setProperty("axoniq.update-checker.disabled", "true");
        SpringApplication.run(QueryServiceApplication.class, args);
    }
}
