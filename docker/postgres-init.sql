-- The memory store's database, beside Kestra's, owned by the same user. Runs once, on the first
-- start of an empty data volume.
CREATE DATABASE automaintainer;
