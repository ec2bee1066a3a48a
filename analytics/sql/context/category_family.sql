INSERT INTO category_families VALUES (?, ?, ?);
