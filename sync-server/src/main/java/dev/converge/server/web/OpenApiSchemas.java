package dev.converge.server.web;

/**
 * Names of the hand-written schemas of {@code META-INF/openapi.yaml} (the CRDT wire encoding, the
 * push request), which the resources reference with {@code @Schema(ref = ...)}, and the wording of
 * responses several operations share.
 */
public final class OpenApiSchemas {

  /** A CRDT state or delta in the wire encoding ({@code docs/crdt.md}). */
  public static final String CRDT_DOCUMENT = "CrdtDocument";

  /** The plain JSON view of CRDT data. */
  public static final String PLAIN_VALUE = "PlainValue";

  /** The body of {@code POST /v1/changesets}. */
  public static final String PUSH_REQUEST = "PushRequest";

  /** The 403 of every read of a space. */
  public static final String FORBIDDEN_SPACE =
      "forbidden_space: the token does not grant this space";

  private OpenApiSchemas() {}
}
