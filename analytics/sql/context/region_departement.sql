INSERT INTO region_departements VALUES (?);
