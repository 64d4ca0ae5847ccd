package io.phasegate.platform.identity;

import com.nimbusds.jose.JOSEObjectType;

/** Constants of the internal identity token passed from the gateway to the services. */
public final class InternalTokens {
    /** The request header that carries it; the gateway removes any such header a client sends. */
    public static final String HEADER = "X-Phasegate-Identity";
    public static final JOSEObjectType TYPE = new JOSEObjectType("phasegate-internal+jwt");
    public static final String ISSUER = "phasegate-gateway";
    public static final String AUDIENCE = "phasegate-services";
    public static final String ORG_CLAIM = "org";
    public static final String ROLES_CLAIM = "roles";

    private InternalTokens() {
    }
}
