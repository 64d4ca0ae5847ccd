package io.phasegate.command;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The write side: aggregates, command handlers and the HTTP command API. */
@SpringBootApplication
public class CommandServiceApplication {
    public static void main(String[] args) {
        // Axon's update checker phones home; Phasegate never lets it (also AXONIQ_UPDATE_CHECKER_DISABLED).
        System.setProperty("axoniq.update-checker.disabled", "true");
        SpringApplication.run(CommandServiceApplication.class, args);
    }
}
