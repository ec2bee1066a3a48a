DELETE FROM ctx_key;
