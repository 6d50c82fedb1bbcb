
/* src/sql/demo.sql — deterministic demo data (SPEC §4, demo data) */
