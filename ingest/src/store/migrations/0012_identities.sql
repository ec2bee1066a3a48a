-- Store schema v12: the single sign-on identities bound to accounts. An identity is a
-- provider's subject (`sub`), an e-mail the provider says it verified, or — for an
-- establishment account, when the administrator allows it — any professional whose
-- provider-given structures (Pro Santé Connect's `SubjectRefPro`) include the account's
-- FINESS. The role and the establishment always come from the account, never from the
-- identity.
CREATE TABLE user_identities (
    user_name    VARCHAR NOT NULL,
    provider     VARCHAR NOT NULL,
    subject      VARCHAR,
    email        VARCHAR,
    finess_claim BOOLEAN NOT NULL DEFAULT false,
    bound_at     TIMESTAMP NOT NULL,
    CHECK ((subject IS NOT NULL)::INTEGER + (email IS NOT NULL)::INTEGER + finess_claim::INTEGER = 1)
);
