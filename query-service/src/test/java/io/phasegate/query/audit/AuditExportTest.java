package io.phasegate.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditExportTest {

    @Test
    void csvCellsAreQuotedOnlyWhenNeeded() {
        assertThat(AuditExport.cell(null)).isEmpty();
        assertThat(AuditExport.cell("")).isEqualTo("\"\"");
        assertThat(AuditExport.cell("plain")).isEqualTo("plain");
        assertThat(AuditExport.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditExport.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(AuditExport.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(AuditExport.cell("cr\rlf")).isEqualTo("\"cr\rlf\"");
        assertThat(AuditExport.cell(" padded")).isEqualTo("\" padded\"");
        assertThat(AuditExport.cell("{\"a\":1,\"b\":\"x\"}")).isEqualTo("\"{\"\"a\"\":1,\"\"b\"\":\"\"x\"\"}\"");
    }
}
