-- Store schema v12: the single sign-on identities bound to accounts. An identity is a
-- provider's subject (`sub`) or an e-mail the provider says it verified; the role and the
-- establishment always come from the account, never from the identity.
CREATE TABLE user_identities (
    user_name  VARCHAR NOT NULL,
    provider   VARCHAR NOT NULL,
    subject    VARCHAR,
    email      VARCHAR,
    bound_at   TIMESTAMP NOT NULL,
    CHECK ((subject IS NULL) <> (email IS NULL))
);
