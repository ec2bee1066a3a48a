-- Before the scope tables are built again: no key until they are whole.
DELETE FROM scope_key;
