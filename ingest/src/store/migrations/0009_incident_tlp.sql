-- Store schema v9: the TLP level of an incident, when its file gives one (NULL otherwise: the
-- indicators then apply the settings' default, `[incidents] default_tlp`).
ALTER TABLE incidents ADD COLUMN tlp VARCHAR;
